/// A stage of an earlier run, as the planner needs to see it.
public struct BaseStage: Sendable, Hashable {
    public var status: StageStatus
    public var components: CacheKeyComponents?
    public var outputs: [String: JSONValue]
    public var artifacts: [ArtifactRef]
    /// Whether every artifact still exists and matches its hash (checked by the caller).
    public var artifactsVerified: Bool
    /// Where the outputs really come from: the stage itself or the one it reused.
    public var origin: StageRef
    /// Set when this stage failed and asked that a retry restart from an upstream stage (e.g. a failed provider job).
    public var restartFrom: String?
    public var errorMessage: String?

    public init(status: StageStatus, components: CacheKeyComponents?, outputs: [String: JSONValue] = [:],
                artifacts: [ArtifactRef] = [], artifactsVerified: Bool = true, origin: StageRef,
                restartFrom: String? = nil, errorMessage: String? = nil) {
        self.status = status
        self.components = components
        self.outputs = outputs
        self.artifacts = artifacts
        self.artifactsVerified = artifactsVerified
        self.origin = origin
        self.restartFrom = restartFrom
        self.errorMessage = errorMessage
    }
}

/// A stage of a specific run.
public struct StageRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var runID: String
    public var stageID: String
    public init(runID: String, stageID: String) {
        self.runID = runID
        self.stageID = stageID
    }
    public var description: String { "\(runID)/\(stageID)" }
}

/// Why the planner decided to run or reuse a stage.
public enum PlanReason: Sendable, Hashable, Codable, CustomStringConvertible {
    case fullRun
    case newStage
    case notCompletedInBase(StageStatus)
    case changed([String])
    case upstreamRuns([String])
    case outputMissing
    case restartRequested(by: String, message: String)
    case unchanged

    public var description: String {
        switch self {
        case .fullRun: "full run"
        case .newStage: "new stage"
        case .notCompletedInBase(let status): "was \(status.rawValue) in the base run"
        case .changed(let changes): changes.joined(separator: "; ")
        case .upstreamRuns(let ids): "upstream changed: " + ids.map { "'\($0)'" }.joined(separator: ", ") + " runs"
        case .outputMissing: "output missing: an artifact of the base run is gone or does not verify"
        case .restartRequested(let by, let message): "stage '\(by)' failed and asked to restart here (\(message))"
        case .unchanged: "unchanged"
        }
    }
}

/// The decision for one stage.
public struct StagePlan: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable { case run, reuse }

    public var stageID: String
    public var action: Action
    public var reason: PlanReason
    public var components: CacheKeyComponents?
    /// For `reuse`: the stage whose outputs are taken (never itself a reuse).
    public var reuse: StageRef?
    public var reusedOutputs: [String: JSONValue]
    public var reusedArtifacts: [ArtifactRef]

    public var cacheKey: String? { components?.key }
}

/// What a run will do: every stage in dependency order with its decision.
public struct RunPlan: Sendable, Hashable {
    public var mode: ExecutionMode
    public var baseRunID: String?
    public var stages: [StagePlan]

    public var toRun: [StagePlan] { stages.filter { $0.action == .run } }
    public var toReuse: [StagePlan] { stages.filter { $0.action == .reuse } }
    /// The decision for one stage: a linear scan, for occasional look-ups.
    public func stage(_ id: String) -> StagePlan? { stages.first { $0.stageID == id } }
}

/// The one pure planner behind full, retry and incremental runs — and `--dry-run`.
///
/// A stage is reused only when the base run completed it under the same cache key, nothing upstream
/// runs, and its artifacts still verify; otherwise it runs, and the plan says why.
public enum RunPlanner {
    public static func plan(definition: WorkflowDefinition, components: [String: CacheKeyComponents],
                            mode: ExecutionMode, baseRunID: String? = nil,
                            base: [String: BaseStage] = [:]) -> RunPlan {
        let order = WorkflowGraph(definition).topologicalOrder()
        let stages = definition.stagesByID
        var decisions: [String: StagePlan] = [:]
        var restartTargets: [String: PlanReason] = [:]
        for (id, stage) in base.sorted(by: { $0.key < $1.key }) where stage.status == .failed {
            if let target = stage.restartFrom {
                restartTargets[target] = .restartRequested(by: id, message: stage.errorMessage ?? "failed")
            }
        }
        for id in order {
            guard let stage = stages[id] else { continue }
            let mine = components[id]
            func run(_ reason: PlanReason) -> StagePlan {
                StagePlan(stageID: id, action: .run, reason: reason, components: mine, reuse: nil, reusedOutputs: [:], reusedArtifacts: [])
            }
            if mode == .full {
                decisions[id] = run(.fullRun)
                continue
            }
            guard let old = base[id] else {
                decisions[id] = run(.newStage)
                continue
            }
            guard old.status == .completed else {
                decisions[id] = run(.notCompletedInBase(old.status))
                continue
            }
            if let mine, let previous = old.components, mine.key != previous.key {
                let changes = mine.changes(since: previous)
                decisions[id] = run(.changed(changes.isEmpty ? ["cache key changed"] : changes))
                continue
            }
            if mine == nil || old.components == nil {
                decisions[id] = run(.changed(["no cache key to compare"]))
                continue
            }
            let runningUpstream = stage.needs.filter { decisions[$0]?.action == .run }
            if !runningUpstream.isEmpty {
                decisions[id] = run(.upstreamRuns(runningUpstream))
                continue
            }
            if let reason = restartTargets[id] {
                decisions[id] = run(reason)
                continue
            }
            guard old.artifactsVerified else {
                decisions[id] = run(.outputMissing)
                continue
            }
            decisions[id] = StagePlan(stageID: id, action: .reuse, reason: .unchanged, components: mine,
                                      reuse: old.origin, reusedOutputs: old.outputs, reusedArtifacts: old.artifacts)
        }
        return RunPlan(mode: mode, baseRunID: baseRunID, stages: order.compactMap { decisions[$0] })
    }
}
