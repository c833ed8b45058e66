/// A video-generation service the `video.*` stages talk to: the embedded `local` renderer or a remote API.
///
/// Every provider behaves like a remote job queue: `submit` returns an opaque job id at once, `status`
/// is polled until the job ends, and the finished video is fetched from `resultLocation`.
///
/// ```swift
/// let id = try await provider.submit(request, idempotencyKey: "vf-run_1-generate")
/// let status = try await provider.status(of: id)   // .running, progress 40
/// let video = try await provider.resultLocation(of: id).url
/// ```
public protocol VideoProvider: Sendable {
    /// The name workflows use in `provider:` (e.g. `local`, `runway`).
    var name: String { get }
    /// What the provider accepts; `VideoRequest.adapted(to:)` drops what it does not.
    var capabilities: ProviderCapabilities { get }

    /// Creates one job and returns its id. Providers that accept an idempotency key send it along.
    func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String
    /// The job's current state, progress, result location or error, and a suggested poll interval.
    func status(of jobID: String) async throws -> VideoJobStatus
    /// Asks the provider to stop the job; a job that already ended is left alone.
    func cancel(_ jobID: String) async throws
    /// The id of a job submitted earlier with this key, or nil when none (or when the provider cannot look jobs up).
    func lookup(idempotencyKey: String) async throws -> String?
    /// Where to download the finished video from, with any headers the download needs.
    func resultLocation(of jobID: String) async throws -> ResultLocation
}

extension VideoProvider {
    public func lookup(idempotencyKey: String) async throws -> String? { nil }
}
