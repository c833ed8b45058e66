import Foundation
import VidflowCore

/// The layout of a PCM WAV file (RIFF `fmt ` and `data` chunks): enough to cut it into smaller
/// valid WAV files without decoding, and to read 16-bit samples for finding quiet moments.
struct WAVAudio: Sendable {
    let path: String
    let channels: Int
    let sampleRate: Int
    let bitsPerSample: Int
    /// Bytes per frame (one sample of every channel).
    let blockAlign: Int
    let dataOffset: UInt64
    let dataSize: UInt64

    var frameCount: Int { Int(dataSize) / max(1, blockAlign) }
    var duration: Double { Double(frameCount) / Double(max(1, sampleRate)) }
    /// 16-bit PCM, the only layout whose energy is measured (`WAVChunker` cuts others at fixed points).
    var isPCM16: Bool { bitsPerSample == 16 }

    /// The layout of the WAV file at `path`, or nil when it is not PCM WAV.
    static func open(_ path: String) -> WAVAudio? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 12), head.count == 12,
              String(decoding: head[0..<4], as: UTF8.self) == "RIFF", String(decoding: head[8..<12], as: UTF8.self) == "WAVE"
        else { return nil }
        var offset: UInt64 = 12
        var format: (tag: Int, channels: Int, rate: Int, align: Int, bits: Int)?
        while true {
            guard (try? handle.seek(toOffset: offset)) != nil, let chunk = try? handle.read(upToCount: 8), chunk.count == 8 else {
                return nil
            }
            let id = String(decoding: chunk[0..<4], as: UTF8.self)
            let size = UInt64(littleEndian32(chunk, at: 4))
            if id == "fmt " {
                guard let body = try? handle.read(upToCount: 16), body.count == 16 else { return nil }
                format = (Int(littleEndian16(body, at: 0)), Int(littleEndian16(body, at: 2)), Int(littleEndian32(body, at: 4)),
                          Int(littleEndian16(body, at: 12)), Int(littleEndian16(body, at: 14)))
            } else if id == "data" {
                // PCM (1) or WAVE_FORMAT_EXTENSIBLE (0xFFFE), whose sub-format is PCM in files ffmpeg writes.
                guard let format, format.tag == 1 || format.tag == 0xFFFE, format.channels > 0, format.rate > 0,
                      format.align > 0 else { return nil }
                let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
                // Streams written without knowing their length say 0 or 0xFFFFFFFF: the data runs to the end.
                let available = fileSize > offset + 8 ? fileSize - offset - 8 : 0
                let dataSize = size == 0 || size == 0xFFFF_FFFF ? available : min(size, available)
                return WAVAudio(path: path, channels: format.channels, sampleRate: format.rate, bitsPerSample: format.bits,
                                blockAlign: format.align, dataOffset: offset + 8, dataSize: dataSize)
            }
            offset += 8 + size + (size & 1)
        }
    }

    /// The bytes of `frames` frames from `startFrame`.
    func readFrames(_ startFrame: Int, count frames: Int) throws(StageFailure) -> Data {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: dataOffset + UInt64(startFrame * blockAlign))
            return try handle.read(upToCount: frames * blockAlign) ?? Data()
        } catch {
            throw StageFailure(.invalidInput, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// A complete WAV file (canonical 44-byte header) holding `frames` frames from `startFrame`.
    func file(_ startFrame: Int, count frames: Int) throws(StageFailure) -> Data {
        let data = try readFrames(startFrame, count: frames)
        var out = Data()
        func append32(_ value: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { out.append(contentsOf: $0) } }
        func append16(_ value: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: Array("RIFF".utf8))
        append32(36 + data.count)
        out.append(contentsOf: Array("WAVEfmt ".utf8))
        append32(16)
        append16(1)
        append16(channels)
        append32(sampleRate)
        append32(sampleRate * blockAlign)
        append16(blockAlign)
        append16(bitsPerSample)
        out.append(contentsOf: Array("data".utf8))
        append32(data.count)
        out.append(data)
        return out
    }

    private static func littleEndian16(_ data: Data, at index: Int) -> UInt16 {
        let base = data.startIndex + index
        return UInt16(data[base]) | UInt16(data[base + 1]) << 8
    }

    private static func littleEndian32(_ data: Data, at index: Int) -> UInt32 {
        let base = data.startIndex + index
        return UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16 | UInt32(data[base + 3]) << 24
    }
}
