import Foundation
import VidflowCore
import VidflowMedia

/// `video.download`: streams a job's finished videos into the artifact store and proves each plays.
///
/// `url` may be an http(s) URL, a `file://` URL or a path. With `job_id` and `provider` set, the
/// provider is asked for fresh locations first (result URLs expire; some need auth headers), and every
/// video of the job is fetched — and of every job in `job_ids` (a fanned-out `num_outputs`), all at
/// once, since provider URLs expire. `file` and its fields describe the first video; `files` and
/// `videos` list them all in order.
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
                ParameterSpec("job_ids", .array, default: "${{ previous.outputs.job_ids }}",
                              description: "Every job of a fanned-out generate; used when its first is job_id.",
                              wiredWith: "job_ids"),
                ParameterSpec("urls", .array, default: "${{ previous.outputs.urls }}",
                              description: "Every video's URL; used without job_id when its first is url.", wiredWith: "urls"),
                ParameterSpec("restart_from", .string, description: "The stage a retry re-runs when the result is gone or broken."),
                ParameterSpec("timeout", .number, default: 600, description: "Seconds the whole download may take."),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("size", .int),
                OutputSpec("duration", .number), OutputSpec("width", .int), OutputSpec("height", .int),
                OutputSpec("files", .array, description: "Every video downloaded, in order."),
                OutputSpec("videos", .array, description: "Each video's file, sha256, size, duration, width and height."),
            ]
        )
        schema.pathParameters = ["url", "urls"]
        return schema
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let restartFrom = context.string("restart_from").flatMap { $0.isEmpty ? nil : $0 }
        let locations = try await locations(context)
        if locations.count > 1 { await context.log("downloading \(locations.count) videos") }
        let fetched = try await withThrowingTaskGroup(of: (Int, DownloadedVideo).self) { group in
            for (index, location) in locations.enumerated() {
                group.addTask {
                    let label = locations.count > 1 ? "video \(index + 1) of \(locations.count): " : ""
                    return (index, try await download(location, label: label, restartFrom: restartFrom, context: context))
                }
            }
            var videos = [DownloadedVideo?](repeating: nil, count: locations.count)
            for try await (index, video) in group { videos[index] = video }
            return videos.compactMap { $0 }
        }
        guard var outputs = fetched.first?.outputs else { throw StageFailure(.providerFailed, "the job has no video") }
        outputs["files"] = .array(fetched.map { .string($0.artifact.path) })
        outputs["videos"] = .array(fetched.map { .object($0.outputs) })
        return StageResult(outputs: outputs, artifacts: fetched.map(\.artifact))
    }

    /// One video fetched (or read), probed and stored; `label` names it among several in errors and logs.
    private func download(_ location: Location, label: String, restartFrom: String?,
                          context: any StageContext) async throws -> DownloadedVideo {
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
                await context.log("\(label)downloaded \(bytes) bytes from \(HTTPDownloader.redacted(location.url))")
            } catch var failure as StageFailure {
                if failure.kind == .providerFailed { failure.restartFrom = restartFrom }
                failure.message = label + failure.message
                throw failure
            }
            source = scratch
        } else if location.fromLocalProvider {
            // The `local` provider's own file, or one an adapter wrote itself: not a path the user wrote, not confined.
            source = try LocalFile.resolve(location.url, parameter: "url", policy: nil)
        } else {
            source = try context.localFile(location.url, parameter: "url")
        }
        let info: MediaInfo
        do {
            info = try await runBlocking { _ in try MediaProbe.probe(path: source) }
        } catch {
            throw StageFailure(.providerFailed, "\(label)the downloaded video does not play: \(error)", restartFrom: restartFrom)
        }
        guard let video = info.video else {
            throw StageFailure(.providerFailed, "\(label)the downloaded file has no video stream", restartFrom: restartFrom)
        }
        try Task.checkCancellation()
        let artifacts = context.artifacts
        let artifact = try await runBlocking { _ in try artifacts.importFile(at: source, mime: "video/mp4", move: source == scratch) }
        return DownloadedVideo(artifact: artifact, outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256), "size": .int(Int(artifact.size)),
            "duration": .double(info.duration), "width": .int(video.width), "height": .int(video.height),
        ])
    }

    /// Where one video is, and whether the provider (rather than the definition) named it.
    struct Location: Sendable {
        var url: String
        var headers: [String: String] = [:]
        var fromLocalProvider = false
        var fromProvider = false
    }

    /// A stored video and its outputs.
    struct DownloadedVideo: Sendable {
        var artifact: ArtifactRef
        var outputs: [String: JSONValue]
    }

    /// The URLs to fetch, in order: the provider's current locations for every video of the named jobs
    /// (`fromProvider`), else `url` (and the rest of `urls`). When the provider cannot tell (a callback may
    /// know the result before its status API does) and a `url` is given too, that is used.
    private func locations(_ context: any StageContext) async throws -> [Location] {
        let url = context.string("url").flatMap { $0.isEmpty ? nil : $0 }
        let given = url.map { first in
            let listed = (context.parameters["urls"]?.arrayValue ?? []).compactMap(\.stringValue)
            return (listed.first == first ? listed : [first]).map { Location(url: $0) }
        }
        if let jobID = context.string("job_id"), !jobID.isEmpty, let name = context.string("provider"), !name.isEmpty {
            guard let provider = providers.provider(name) else {
                throw StageFailure(.invalidInput, "unknown provider '\(name)'")
            }
            let local = provider is LocalProvider
            var found: [Location] = []
            do {
                for id in VideoPollStage.jobIDs(context, first: jobID) {
                    found += try await provider.resultLocations(of: id).map {
                        Location(url: $0.url, headers: $0.headers, fromLocalProvider: local || $0.isAdapterFile, fromProvider: true)
                    }
                }
                return found
            } catch let error as ProviderError {
                guard let given else { throw error.stageFailure() }
                await context.log("\(name) gave no location for job \(jobID) (\(error.message)); using the url given")
                return given
            }
        }
        guard let given else { throw StageFailure(.invalidInput, "parameter 'url' is required") }
        return given
    }
}
