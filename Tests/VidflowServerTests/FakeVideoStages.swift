import Foundation
import VidflowCore

/// Stand-ins for the video chain's stage types: same names and outputs, no provider, no FFmpeg.
struct FakeVideoStage: Stage {
    let typeName: String
    /// Milliseconds the stage takes.
    var sleepMs = 0
    var version: Int { 1 }
    var schema: StageSchema {
        StageSchema(parameters: [], outputs: [OutputSpec("file", .file), OutputSpec("job_id", .string),
                                              OutputSpec("provider", .string), OutputSpec("url", .string),
                                              OutputSpec("duration", .number)],
                    allowsAdditionalParameters: true, outputsEchoParameters: true)
    }

    static func all(sleepMs: Int = 0) -> [any Stage] {
        ["image.upload", "video.generate", "video.poll", "video.download", "ffmpeg.transcode", "ffmpeg.thumbnail"]
            .map { FakeVideoStage(typeName: $0, sleepMs: $0 == "video.poll" ? sleepMs : 0) }
    }

    func run(_ context: any StageContext) async throws -> StageResult {
        if sleepMs > 0 {
            for step in 1...4 {
                try await Task.sleep(for: .milliseconds(sleepMs / 4))
                await context.reportProgress(step * 25)
            }
        }
        var outputs = context.parameters
        switch typeName {
        case "video.generate":
            outputs["job_id"] = .string("job-\(context.runID)")
            outputs["provider"] = context.parameters["provider"] ?? "local"
        case "video.poll":
            outputs["url"] = "file:///fake.mp4"
        default:
            let ext = typeName == "ffmpeg.thumbnail" ? "jpg" : (typeName == "image.upload" ? "png" : "mp4")
            let path = context.stateDirectory + "/\(context.runID)-\(context.stageID).\(ext)"
            try FileManager.default.createDirectory(atPath: context.stateDirectory, withIntermediateDirectories: true)
            try Data("\(typeName) of \(context.runID) \(context.parameters["prompt"]?.stringValue ?? "")".utf8)
                .write(to: URL(fileURLWithPath: path))
            outputs["file"] = .string(path)
            outputs["duration"] = 4.0
        }
        return StageResult(outputs: outputs)
    }
}
