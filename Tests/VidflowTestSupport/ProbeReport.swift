import Foundation

/// ffprobe's JSON view of a file's streams and format (frames counted), to check what vidflow wrote.
public struct ProbeReport {
    public let streams: [[String: Any]]
    public let format: [String: Any]

    public init(path: String) throws {
        let data = try runTool("ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path])
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        streams = object["streams"] as? [[String: Any]] ?? []
        format = object["format"] as? [String: Any] ?? [:]
    }

    public var video: [String: Any]? { streams.first { $0["codec_type"] as? String == "video" } }
    public var audio: [String: Any]? { streams.first { $0["codec_type"] as? String == "audio" } }
    public var duration: Double { Double(format["duration"] as? String ?? "") ?? 0 }
    public var width: Int { video?["width"] as? Int ?? 0 }
    public var height: Int { video?["height"] as? Int ?? 0 }

    /// Frame rate of the video stream from "num/den".
    public var fps: Double {
        let parts = (video?["r_frame_rate"] as? String ?? "0/1").split(separator: "/").compactMap { Double($0) }
        return parts.count == 2 && parts[1] != 0 ? parts[0] / parts[1] : 0
    }

    public var frameCount: Int { Int(video?["nb_read_frames"] as? String ?? "") ?? 0 }
}

/// Names of an MP4's top-level boxes, in file order (`moov` before `mdat` means faststart).
public func topLevelBoxes(_ path: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var boxes: [String] = []
    var offset = 0
    while offset + 8 <= data.count {
        let header = data[offset..<offset + 8].map { $0 }
        var size = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        if size == 1, offset + 16 <= data.count {
            size = data[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) }
        } else if size == 0 {
            size = data.count - offset
        }
        boxes.append(String(decoding: header[4..<8], as: UTF8.self))
        guard size >= 8 else { break }
        offset += size
    }
    return boxes
}
