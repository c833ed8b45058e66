import Foundation
import VidflowCore

/// A video-generation service the `video.*` stages talk to: the embedded `local` renderer or a remote API.
///
/// Every provider behaves like a remote job queue: `submit` returns an opaque job id at once, `status`
/// is polled until the job ends (or a callback says it ended), and the finished video is fetched from
/// `resultLocation`. Adapters live one per file (`RunwayProvider.swift`, ...) over `ProviderHTTPClient`.
///
/// ```swift
/// let id = try await provider.submit(request, idempotencyKey: "vf-run_1-generate")
/// let status = try await provider.status(of: id)   // .running, progress 40
/// let video = try await provider.resultLocation(of: id).url
/// ```
public protocol VideoProvider: Sendable {
    /// The name workflows use in `provider:` (e.g. `local`, `runway`).
    var name: String { get }
    /// What the provider's default model accepts (and, in `models`, every model it knows).
    var capabilities: ProviderCapabilities { get }
    /// What one model accepts; a request is validated against it before anything is paid for.
    func capabilities(for model: String) -> ProviderCapabilities
    /// Operations beyond submit/status/download.
    var features: ProviderFeatures { get }
    /// The rotating API keys, so a config change applies at once; nil for providers without keys.
    var keyPool: APIKeyPool? { get }

    /// Creates one job and returns its id. Providers that accept an idempotency key or a client
    /// reference send `idempotencyKey` along, so `lookup` can find the job again.
    func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String
    /// The job's current state, progress, result location or error, and a suggested poll interval.
    func status(of jobID: String) async throws -> VideoJobStatus
    /// Asks the provider to stop the job; a job that already ended is left alone.
    func cancel(_ jobID: String) async throws
    /// The id of a job submitted earlier for `request` with this key, or nil when there is none.
    /// Throws when the provider cannot tell (`features.reconcile` false).
    func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String?
    /// Where to download the finished video from, with any headers the download needs.
    func resultLocation(of jobID: String) async throws -> ResultLocation
    /// Every video of the finished job, in order (several where one job makes several, e.g. Veo's
    /// `sampleCount`), each with the headers its download needs. The default reads `status(of:)`.
    func resultLocations(of jobID: String) async throws -> [ResultLocation]
    /// The provider request `submit` would send for `request`, secrets and inline media bytes removed:
    /// what is recorded on the attempt.
    func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue
    /// A cheap authenticated call (never a paid generation) proving the key and base URL work.
    func testConnection() async throws
    /// Reads (and verifies, where the provider signs) a callback the provider POSTed to
    /// `/v1/callbacks/<name>`. Nil when it is not about a job state.
    func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate?
    /// Loads what verifying callbacks needs from the provider (fal's signing keys, Replicate's secret);
    /// the server calls it before `callback` when a delivery cannot be verified yet.
    func prepareCallbackVerification() async throws
}

extension VideoProvider {
    public func capabilities(for model: String) -> ProviderCapabilities { capabilities }
    public var features: ProviderFeatures { ProviderFeatures() }
    public var keyPool: APIKeyPool? { nil }

    public func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String? {
        throw ProviderError(provider: name, operation: "look up job \(idempotencyKey)", kind: .providerFailed,
                            message: "the answer to an earlier submit was lost, and \(name) offers no way to find a job "
                                + "by a client reference, so vidflow does not submit again (it could pay twice); "
                                + "check the provider's dashboard — `vidflow retry` submits anew")
    }

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue { request.json }

    public func resultLocations(of jobID: String) async throws -> [ResultLocation] {
        let current = try await status(of: jobID)
        if current.state == .succeeded, let result = current.result { return [result] + current.additionalResults }
        return [try await resultLocation(of: jobID)]
    }

    public func testConnection() async throws {}

    public func prepareCallbackVerification() async throws {}

    public func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate? {
        throw ProviderError(provider: name, operation: "callback", kind: .invalidInput, message: "\(name) sends no callbacks")
    }

    /// Capabilities of `model` (an alias read as the id it stands for), or of the default model when nil.
    public func capabilities(forModel model: String?) -> ProviderCapabilities {
        model.map { capabilities(for: capabilities.currentModel($0)) } ?? capabilities
    }
}

/// What a provider can do beyond submit, status and download.
public struct ProviderFeatures: Sendable, Hashable, Codable {
    /// `cancel` stops a running job at the provider.
    public var cancel: Bool
    /// The provider can notify `/v1/callbacks/<name>` when a job changes.
    public var callbacks: Bool
    /// `lookup` can find a job by client reference (or list matching), so a lost submit answer is reconciled.
    public var reconcile: Bool
    /// Result downloads need the API key.
    public var authenticatedDownload: Bool

    public init(cancel: Bool = false, callbacks: Bool = false, reconcile: Bool = false, authenticatedDownload: Bool = false) {
        self.cancel = cancel
        self.callbacks = callbacks
        self.reconcile = reconcile
        self.authenticatedDownload = authenticatedDownload
    }
}
