import VidflowCore
import VidflowMedia

/// `ffmpeg.probe`: reports a media file's duration, streams, codecs, size, frame rate and bit rate.
public struct ProbeStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.probe" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}")],
            outputs: [
                OutputSpec("file", .file, description: "The probed file, passed on."),
                OutputSpec("duration", .number), OutputSpec("streams", .array),
                OutputSpec("video_codec", .string), OutputSpec("audio_codec", .string),
                OutputSpec("width", .int), OutputSpec("height", .int), OutputSpec("fps", .number),
                OutputSpec("bitrate", .int), OutputSpec("format", .string),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let info: MediaInfo
        do {
            info = try await runBlocking { _ in try MediaProbe.probe(path: input) }
        } catch {
            throw StageFailure.media(error, "probing \(input)")
        }
        let streams: [JSONValue] = info.streams.map { stream in
            var object: [String: JSONValue] = ["index": .int(stream.index), "type": .string(stream.type), "codec": .string(stream.codec)]
            object["duration"] = stream.duration.map { .double($0) }
            object["bitrate"] = stream.bitRate.map { .int($0) }
            return .object(object)
        }
        return StageResult(outputs: [
            "file": .string(input), "duration": .double(info.duration), "streams": .array(streams),
            "video_codec": info.video.map { .string($0.codec) } ?? .null,
            "audio_codec": info.audio.map { .string($0.codec) } ?? .null,
            "width": .int(info.video?.width ?? 0), "height": .int(info.video?.height ?? 0),
            "fps": .double(info.video?.fps ?? 0), "bitrate": .int(info.bitRate), "format": .string(info.formatName),
        ])
    }
}
