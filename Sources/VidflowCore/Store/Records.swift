import Foundation

/// One workflow run as stored: its definition, inputs, mode and status.
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var workflowName: String
    public var definition: WorkflowDefinition
    public var inputs: [String: JSONValue]
    public var mode: ExecutionMode
    public var baseRunID: String?
    public var status: RunStatus
    public var error: StageFailure?
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    /// Where the definition came from (a file path), for messages.
    public var source: String?
    public var idempotencyKey: String?
    /// Which local files the run's stages may read; nil: any (runs of the CLI).
    public var fileAccess: FileAccessPolicy?

    public init(id: String, definition: WorkflowDefinition, inputs: [String: JSONValue], mode: ExecutionMode,
                baseRunID: String? = nil, status: RunStatus = .pending, createdAt: Date = Date(),
                source: String? = nil, idempotencyKey: String? = nil) {
        self.id = id
        self.workflowName = definition.name
        self.definition = definition
        self.inputs = inputs
        self.mode = mode
        self.baseRunID = baseRunID
        self.status = status
        self.createdAt = createdAt
        self.source = source
        self.idempotencyKey = idempotencyKey
    }
}

/// One stage of one run as stored.
public struct StageRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var stageID: String
    public var position: Int
    public var type: String
    public var status: StageStatus
    public var needs: [String]
    public var cacheKey: String?
    public var components: CacheKeyComponents?
    /// Why the planner ran or reused it.
    public var planReason: String
    /// Resolved parameters of the latest attempt.
    public var input: [String: JSONValue]?
    public var output: [String: JSONValue]?
    public var artifacts: [ArtifactRef]
    public var attempts: Int
    public var progress: Int
    public var error: StageFailure?
    public var reusedFrom: StageRef?
    public var startedAt: Date?
    public var endedAt: Date?
    /// When a retry is due, while waiting for its backoff.
    public var nextAttemptAt: Date?

    public init(runID: String, stageID: String, position: Int, type: String, status: StageStatus = .pending,
                needs: [String], components: CacheKeyComponents?, planReason: String) {
        self.runID = runID
        self.stageID = stageID
        self.position = position
        self.type = type
        self.status = status
        self.needs = needs
        self.cacheKey = components?.key
        self.components = components
        self.planReason = planReason
        self.artifacts = []
        self.attempts = 0
        self.progress = 0
    }

    /// Seconds between start and end, when both are known.
    public var duration: Double? {
        guard let startedAt, let endedAt else { return nil }
        return endedAt.timeIntervalSince(startedAt)
    }
}

/// One try at a stage.
public struct AttemptRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable { case running, succeeded, failed, cancelled, interrupted }

    public var runID: String
    public var stageID: String
    public var number: Int
    public var status: Status
    public var startedAt: Date
    public var endedAt: Date?
    public var error: StageFailure?
    public var output: [String: JSONValue]?

    public init(runID: String, stageID: String, number: Int, status: Status = .running, startedAt: Date = Date()) {
        self.runID = runID
        self.stageID = stageID
        self.number = number
        self.status = status
        self.startedAt = startedAt
    }
}

/// The never-pay-twice record of a paid external job: intent first, external id right after submit.
public struct ExternalJobRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var stageID: String
    public var provider: String
    public var idempotencyKey: String
    public var externalID: String?
    /// The request as submitted, secrets removed.
    public var request: JSONValue
    public var attempt: Int
    public var intentAt: Date
    public var submittedAt: Date?

    public init(runID: String, stageID: String, provider: String, idempotencyKey: String, request: JSONValue,
                attempt: Int, intentAt: Date = Date()) {
        self.runID = runID
        self.stageID = stageID
        self.provider = provider
        self.idempotencyKey = idempotencyKey
        self.request = request
        self.attempt = attempt
        self.intentAt = intentAt
    }
}

/// An entry of the append-only event log; ids increase, so readers resume after the last one seen.
public struct EventRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var runID: String
    public var stageID: String?
    public var kind: EventKind
    public var data: JSONValue
    public var at: Date

    public init(id: Int64, runID: String, stageID: String?, kind: EventKind, data: JSONValue, at: Date) {
        self.id = id
        self.runID = runID
        self.stageID = stageID
        self.kind = kind
        self.data = data
        self.at = at
    }
}

/// What an event is about.
public enum EventKind: String, Sendable, Hashable, Codable {
    /// A run or stage status change.
    case status
    case progress
    case log
    /// The run reached a terminal status.
    case done
}

/// An event to append; the store assigns its id.
public struct NewEvent: Sendable, Hashable {
    public var runID: String
    public var stageID: String?
    public var kind: EventKind
    public var data: JSONValue
    public var at: Date

    public init(runID: String, stageID: String? = nil, kind: EventKind, data: JSONValue, at: Date = Date()) {
        self.runID = runID
        self.stageID = stageID
        self.kind = kind
        self.data = data
        self.at = at
    }
}
