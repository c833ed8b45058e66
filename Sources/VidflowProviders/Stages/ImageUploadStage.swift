import Foundation
import VidflowCore
import VidflowMedia

/// `image.upload`: takes an image from a local path, an http(s) URL or a data URI, proves it decodes,
/// and stores it content-addressed so later stages (and providers) get a stable file.
public struct ImageUploadStage: Stage {
    public init() {}

    public var typeName: String { "image.upload" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        var schema = StageSchema(
            parameters: [
                ParameterSpec("source", .string, required: true,
                              description: "A local path (relative to the working directory), an http(s) URL or a data: URI."),
            ],
            outputs: [
                OutputSpec("file", .file, description: "Path of the stored image."),
                OutputSpec("sha256", .string),
                OutputSpec("width", .int),
                OutputSpec("height", .int),
                OutputSpec("mime", .string, description: "e.g. image/jpeg"),
            ]
        )
        schema.pathParameters = ["source"]
        return schema
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let source = try context.requireString("source")
        let (path, isScratch) = try await fetch(source, context: context)
        do {
            // Image demuxers read a whole file as one packet: a huge "image" would be held in memory whole.
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= Self.maxImageBytes else {
                throw StageFailure(.invalidInput, "source '\(Self.shortened(source))' is \(size >> 20) MiB; "
                                   + "images may have at most \(Self.maxImageBytes >> 20) MiB")
            }
            let info: ImageInfo
            do {
                info = try await runBlocking { _ in try ImageProbe.inspect(path: path) }
            } catch {
                throw StageFailure(.invalidInput, "source '\(Self.shortened(source))' is not a usable image: \(error)")
            }
            try Task.checkCancellation()
            let artifacts = context.artifacts, mime = info.mime
            let artifact = try await runBlocking { _ in try artifacts.importFile(at: path, mime: mime, move: isScratch) }
            await context.log("stored \(info.width)x\(info.height) \(info.mime) image as \(artifact.sha256.prefix(12))")
            return StageResult(outputs: [
                "file": .string(artifact.path), "sha256": .string(artifact.sha256),
                "width": .int(info.width), "height": .int(info.height), "mime": .string(info.mime),
            ], artifacts: [artifact])
        } catch {
            if isScratch { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    /// A local file holding the source's bytes, and whether it is a scratch copy this stage owns.
    private func fetch(_ source: String, context: any StageContext) async throws -> (path: String, isScratch: Bool) {
        let lowered = source.lowercased()
        if lowered.hasPrefix("data:") {
            let scratch = context.artifacts.scratchPath(extension: "img")
            try DataURI.decode(source).write(to: URL(fileURLWithPath: scratch))
            return (scratch, true)
        }
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            let scratch = context.artifacts.scratchPath(extension: "img")
            do {
                try await HTTPDownloader.download(source, to: scratch, policy: context.urlPolicy, timeout: .seconds(120))
            } catch var failure as StageFailure {
                try? FileManager.default.removeItem(atPath: scratch)
                if failure.kind == .providerFailed { failure.kind = .invalidInput }
                throw failure
            }
            return (scratch, true)
        }
        return (try context.localFile(source, parameter: "source"), false)
    }

    /// Largest image accepted (50 MiB): far above what providers take (about 10–20 MB), and it bounds
    /// the memory decoding takes, since an image is read as one packet.
    public static let maxImageBytes = 50 << 20

    /// The source as it may appear in a message (a data URI is cut short).
    static func shortened(_ source: String) -> String {
        source.count > 80 ? String(source.prefix(60)) + "…" : source
    }
}
