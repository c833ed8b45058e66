import Foundation
import Hummingbird
import VidflowCore
import VidflowProviders

/// `variant=spritesheet` of `/v1/videos/{id}/content`: a 5×5 grid of evenly spaced frames of the finished video as
/// one JPEG, made in-process on the first request and kept beside the video so later requests are plain file reads.
enum SpriteSheetContent {
    /// The sheet of the task's finished video (404 while there is none), with Range, offered as `<name>_sprites.jpg`.
    static func response(for stages: [StageRecord], request: Request, run: RunRecord) async throws -> Response {
        guard let video = VideoTaskView.file(stages, variant: "video"), FileManager.default.fileExists(atPath: video) else {
            throw APIError.notFound("the spritesheet is not ready", field: "variant")
        }
        let sheet = cachePath(forVideo: video)
        if fileSize(sheet) == nil {
            do {
                try await SpriteSheetBuilds.shared.make(video: video, sheet: sheet)
            } catch let failure as StageFailure where failure.kind == .invalidInput {
                throw APIError(.unprocessableContent, code: "unprocessable_video",
                               "the video cannot be decoded to make a spritesheet", field: "variant")
            }
        }
        guard let size = fileSize(sheet) else {
            throw APIError.notFound("the spritesheet is not ready", field: "variant")
        }
        return try FileResponse.make(path: sheet, size: size, contentType: "image/jpeg", range: request.headers[.range],
                                     filename: RunDownloadName.base(run) + "_sprites.jpg")
    }

    /// Where the sheet of `video` is kept: beside it, named after it. Videos are content-addressed artifacts, so a
    /// kept sheet always belongs to the bytes it was made from.
    static func cachePath(forVideo video: String) -> String {
        (video as NSString).deletingPathExtension + ".spritesheet.jpg"
    }

    private static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }
}
