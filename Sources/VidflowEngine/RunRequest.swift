import Foundation
import VidflowCore

/// What to run: a definition (or a base run's), inputs, and the execution mode.
public struct RunRequest: Sendable {
    /// nil for `retry`/`incremental` means: the base run's definition.
    public var definition: WorkflowDefinition?
    /// Inputs given now; for retry/incremental they override the base run's.
    public var inputs: [String: JSONValue]
    public var mode: ExecutionMode
    public var baseRunID: String?
    public var source: String?
    public var idempotencyKey: String?
    /// Which local files the run may read (runs created over HTTP); nil: any file (the CLI).
    public var fileAccess: FileAccessPolicy?
    /// The new run's id when the caller names it (e.g. a client's `task_id`); nil: a fresh `run_…` id.
    /// Must pass `isValidRunID`; a taken id makes `Engine.create` fail and writes nothing.
    public var runID: String?

    public init(definition: WorkflowDefinition?, inputs: [String: JSONValue] = [:], mode: ExecutionMode = .full,
                baseRunID: String? = nil, source: String? = nil, idempotencyKey: String? = nil,
                fileAccess: FileAccessPolicy? = nil, runID: String? = nil) {
        self.definition = definition
        self.inputs = inputs
        self.mode = mode
        self.baseRunID = baseRunID
        self.source = source
        self.idempotencyKey = idempotencyKey
        self.fileAccess = fileAccess
        self.runID = runID
    }

    /// Whether `id` may name a run: 1 to 64 characters of `A-Z a-z 0-9 _ -` (safe in URLs and file names).
    public static func isValidRunID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D
        }
    }

    /// What `isValidRunID` accepts, in words.
    public static let runIDRule = "1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"
}

/// A run ready to be created: its record, its plan, and its stage rows.
public struct PreparedRun: Sendable {
    public var run: RunRecord
    public var plan: RunPlan
    public var stages: [StageRecord]
}

/// A request the engine refuses before anything is written.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case invalid(DefinitionError)
    case baseRunMissing(String)
    case baseRunActive(String, RunStatus)
    case modeNeedsBase(ExecutionMode)
    case unknownRun(String)

    public var description: String {
        switch self {
        case .invalid(let error): error.description
        case .baseRunMissing(let id): "no run with id '\(id)'"
        case .baseRunActive(let id, let status):
            "run '\(id)' is still running (\(status.rawValue)): wait for it to finish or cancel it first"
        case .modeNeedsBase(let mode): "\(mode.rawValue) needs the id of an earlier run"
        case .unknownRun(let id): "no run with id '\(id)'"
        }
    }
}

/// Makes run ids: time-ordered hex, then random hex (`run_6741a2b3c9f0d17e5a`).
enum RunID {
    static func make() -> String {
        let seconds = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        let random = UInt64.random(in: 0...UInt64.max)
        return "run_" + String(format: "%08x", seconds) + String(String(random, radix: 16).suffix(10)).leftPadded(to: 10)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
