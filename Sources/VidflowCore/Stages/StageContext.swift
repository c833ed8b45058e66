/// What a running stage sees: its resolved parameters, where to put files, and how to report.
///
/// The engine implements it; every report is recorded in the run's event log.
public protocol StageContext: Sendable {
    var runID: String { get }
    var stageID: String { get }
    /// 1-based attempt number.
    var attempt: Int { get }
    /// Parameters with defaults applied and every `${{ … }}` resolved.
    var parameters: [String: JSONValue] { get }
    var artifacts: any ArtifactStore { get }
    /// A directory this stage type may keep state in across attempts and processes (e.g. provider jobs).
    var stateDirectory: String { get }
    /// Which local files this run may read (`LocalFile.resolve`); nil: any file (the CLI).
    var fileAccess: FileAccessPolicy? { get }
    /// Which addresses user-given URLs (image sources, download URLs) may reach; see `OutboundURLPolicy`.
    var urlPolicy: OutboundURLPolicy { get }

    /// Progress 0–100 for status displays.
    func reportProgress(_ percent: Int) async
    func log(_ message: String) async
    /// True once the run was cancelled (not merely this attempt stopped by a timeout), so a stage can
    /// stop paid work it started elsewhere.
    var isRunCancelled: Bool { get async }
    /// Durations of earlier provider jobs, for stages that pace their polls by them; nil where nothing is kept.
    var jobDurations: (any JobDurationHistory)? { get }

    /// Creates paid external work at most once for this stage of this run ("never pay twice").
    ///
    /// The engine durably records an intent with `idempotencyKey` before calling `submit`, and the
    /// external id right after. When the stage runs again (retry or crash recovery), a recorded id is
    /// returned without submitting; an intent without an id is first given to `reconcile` with the
    /// provider it was recorded for, which looks the job up there by that key and returns its id if it
    /// exists (or throws when the provider cannot tell). A `submit` that throws a `SubmitOutcomeError`
    /// saying the job was certainly not created drops the intent, so another provider may be tried.
    func submitOnce(
        provider: String,
        request: JSONValue,
        reconcile: @Sendable (_ provider: String, _ idempotencyKey: String) async throws -> String?,
        submit: @Sendable (_ idempotencyKey: String) async throws -> String
    ) async throws -> ExternalJob

    /// `submitOnce` for one of several paid jobs this stage creates (`num_outputs` fanned out into one job
    /// per video), `output` 0-based. Output 0 is the stage's own record (exactly `submitOnce`); output k ≥ 1
    /// has its own intent and key, recorded under `ExternalJobSlot.stageID(stage, output: k)`, so each job
    /// is recovered, reconciled or retried on its own and none is paid twice.
    ///
    /// `keep`: in a retry (or incremental) run whose stage is unchanged (same cache key), the job the base
    /// run recorded for this output is offered first; when `keep` answers true (the job is still alive or
    /// succeeded at the provider), it is recorded for this run and returned with origin `kept`, unpaid.
    func submitOnce(
        output: Int,
        provider: String,
        request: JSONValue,
        keep: (@Sendable (_ earlier: ExternalJob) async -> Bool)?,
        reconcile: @Sendable (_ provider: String, _ idempotencyKey: String) async throws -> String?,
        submit: @Sendable (_ idempotencyKey: String) async throws -> String
    ) async throws -> ExternalJob
}

/// Where the never-pay-twice record of each of a stage's several jobs lives.
public enum ExternalJobSlot {
    /// The record's stage id for output `output` (0-based): the stage's own id for the first, then
    /// `<stage>.2`, `<stage>.3`, … (`.` cannot appear in a stage id, so no slot collides with a stage).
    public static func stageID(_ stageID: String, output: Int) -> String {
        output == 0 ? stageID : "\(stageID).\(output + 1)"
    }
}

/// An error from a paid submit that knows whether the external job was certainly not created
/// (the provider answered with an error, or the request never left), as opposed to a lost answer.
public protocol SubmitOutcomeError: Error {
    var jobCertainlyNotCreated: Bool { get }
}

/// A paid job at an external provider, as recorded by `StageContext.submitOnce`.
public struct ExternalJob: Sendable, Hashable, Codable {
    public var provider: String
    public var idempotencyKey: String
    public var externalID: String
    /// How the id was obtained: a fresh submit, a recorded id, or reconciliation of an earlier intent.
    public var origin: Origin

    /// `kept`: a retry took over the base run's job for this output (it was alive or done), paying nothing.
    public enum Origin: String, Sendable, Hashable, Codable { case submitted, recorded, reconciled, kept }

    public init(provider: String, idempotencyKey: String, externalID: String, origin: Origin) {
        self.provider = provider
        self.idempotencyKey = idempotencyKey
        self.externalID = externalID
        self.origin = origin
    }
}

extension StageContext {
    /// Contexts that keep one record per stage (tests, tools) make only output 0; the engine makes any.
    public func submitOnce(
        output: Int, provider: String, request: JSONValue, keep: (@Sendable (_ earlier: ExternalJob) async -> Bool)?,
        reconcile: @Sendable (_ provider: String, _ idempotencyKey: String) async throws -> String?,
        submit: @Sendable (_ idempotencyKey: String) async throws -> String
    ) async throws -> ExternalJob {
        guard output == 0 else {
            throw StageFailure(.internalError, "this stage context records one paid job per stage, not output \(output + 1)")
        }
        return try await submitOnce(provider: provider, request: request, reconcile: reconcile, submit: submit)
    }

    public var isRunCancelled: Bool { get async { false } }
    /// No history (contexts made outside an engine, e.g. in tests); the engine passes its store's.
    public var jobDurations: (any JobDurationHistory)? { nil }
    public var fileAccess: FileAccessPolicy? { nil }
    /// Any address (contexts made outside an engine, e.g. in tests); the engine passes its configured policy.
    public var urlPolicy: OutboundURLPolicy { .unrestricted }

    /// The path of a regular file that the file parameter `name` (or `text`) names and this run may
    /// read, or an `invalid_input` failure naming the parameter.
    public func localFile(_ text: String, parameter name: String) throws -> String {
        try LocalFile.resolve(text, parameter: name, policy: fileAccess)
    }

    public func string(_ name: String) -> String? { parameters[name]?.stringValue }
    public func int(_ name: String) -> Int? { parameters[name]?.intValue }
    public func double(_ name: String) -> Double? { parameters[name]?.doubleValue }
    public func bool(_ name: String) -> Bool? { parameters[name]?.boolValue }

    /// A required string parameter, or an `invalid_input` failure naming it.
    public func requireString(_ name: String) throws -> String {
        guard let value = string(name), !value.isEmpty else {
            throw StageFailure(.invalidInput, "parameter '\(name)' is required")
        }
        return value
    }
}

/// A file kept by content hash in the artifact store.
public struct ArtifactRef: Sendable, Hashable, Codable {
    /// Lower-case hex SHA-256 of the content.
    public var sha256: String
    public var size: Int64
    /// Absolute path of the stored file.
    public var path: String
    public var mime: String?

    public init(sha256: String, size: Int64, path: String, mime: String?) {
        self.sha256 = sha256
        self.size = size
        self.path = path
        self.mime = mime
    }
}

/// Content-addressed file storage shared by all runs.
public protocol ArtifactStore: Sendable {
    /// A fresh path in the store's scratch area to write a file to before `importFile`.
    func scratchPath(extension ext: String) -> String
    /// Hashes the file and stores it under its hash (moving it when `move`); returns the stored artifact.
    func importFile(at path: String, mime: String?, move: Bool) throws -> ArtifactRef
    /// Whether the artifact still exists with its recorded size and hash.
    func verify(_ artifact: ArtifactRef) -> Bool
}
