import Foundation
import VidflowCore
import VidflowMedia

/// `video.download`: streams a finished video into the artifact store and proves it plays.
///
/// `url` may be an http(s) URL, a `file://` URL or a path. With `job_id` and `provider` set, the
/// provider is asked for a fresh location first (result URLs expire; some need auth headers).
public struct VideoDownloadStage: Stage {
    public let providers: ProviderRegistry

    public init(providers: ProviderRegistry) {
        self.providers = providers
    }

    public var typeName: String { "video.download" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        var schema = StageSchema(
            parameters: [
                ParameterSpec("url", .string, required: true, default: "${{ previous.outputs.url }}"),
                // From the poll before it when chained (`workflow_chain`, or stages without `with`): OpenAI and
                // Veo downloads need the provider's key, and result URLs expire.
                ParameterSpec("job_id", .string, default: "${{ previous.outputs.job_id }}",
                              description: "With provider: ask the provider for a fresh location.", wiredWith: "url"),
                ParameterSpec("provider", .string, default: "${{ previous.outputs.provider }}", wiredWith: "url"),
                ParameterSpec("restart_from", .string, description: "The stage a retry re-runs when the result is gone or broken."),
                ParameterSpec("timeout", .number, default: 600, description: "Seconds the whole download may take."),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("size", .int),
                OutputSpec("duration", .number), OutputSpec("width", .int), OutputSpec("height", .int),
            ]
        )
        schema.pathParameters = ["url"]
        return schema
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let restartFrom = context.string("restart_from").flatMap { $0.isEmpty ? nil : $0 }
        let location = try await location(context)
        let lowered = location.url.lowercased()
        let scratch = context.artifacts.scratchPath(extension: "mp4")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let source: String
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            do {
                // A location the provider answered is the operator's (like its base URL); a `url` is the user's.
                let policy = location.fromProvider ? OutboundURLPolicy.unrestricted : context.urlPolicy
                let bytes = try await HTTPDownloader.download(location.url, to: scratch, headers: location.headers, policy: policy,
                                                              timeout: .seconds(Int(context.double("timeout") ?? 600)))
                await context.log("downloaded \(bytes) bytes from \(HTTPDownloader.redacted(location.url))")
            } catch var failure as StageFailure {
                if failure.kind == .providerFailed { failure.restartFrom = restartFrom }
                throw failure
            }
            source = scratch
        } else if location.fromLocalProvider {
            // The embedded `local` provider's own file, not a path the user wrote: not confined.
            source = try LocalFile.resolve(location.url, parameter: "url", policy: nil)
        } else {
            source = try context.localFile(location.url, parameter: "url")
        }
        let info: MediaInfo
        do {
            info = try await runBlocking { _ in try MediaProbe.probe(path: source) }
        } catch {
            throw StageFailure(.providerFailed, "the downloaded video does not play: \(error)", restartFrom: restartFrom)
        }
        guard let video = info.video else {
            throw StageFailure(.providerFailed, "the downloaded file has no video stream", restartFrom: restartFrom)
        }
        try Task.checkCancellation()
        let artifacts = context.artifacts
        let artifact = try await runBlocking { _ in try artifacts.importFile(at: source, mime: "video/mp4", move: source == scratch) }
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256), "size": .int(Int(artifact.size)),
            "duration": .double(info.duration), "width": .int(video.width), "height": .int(video.height),
        ], artifacts: [artifact])
    }

    /// The URL to fetch: the provider's current location for the job when named (`fromProvider`), else
    /// `url`. When the provider cannot tell (a callback may know the result before its status API does)
    /// and a `url` is given too, that is used.
    private func location(_ context: any StageContext) async throws
        -> (url: String, headers: [String: String], fromLocalProvider: Bool, fromProvider: Bool) {
        if let jobID = context.string("job_id"), !jobID.isEmpty, let name = context.string("provider"), !name.isEmpty {
            guard let provider = providers.provider(name) else {
                throw StageFailure(.invalidInput, "unknown provider '\(name)'")
            }
            do {
                let location = try await provider.resultLocation(of: jobID)
                return (location.url, location.headers, provider is LocalProvider, true)
            } catch let error as ProviderError {
                guard let url = context.string("url"), !url.isEmpty else { throw error.stageFailure() }
                await context.log("\(name) gave no location for job \(jobID) (\(error.message)); using the url given")
                return (url, [:], false, false)
            }
        }
        return (try context.requireString("url"), [:], false, false)
    }
}
