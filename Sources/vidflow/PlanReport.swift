import Foundation
import VidflowCore
import VidflowEngine

/// The text `--dry-run` prints: for each stage `reuse` or `run`, and why.
///
/// ```
/// transcode  run    parameter 'quality' changed (medium → high)
/// ```
enum PlanReport {
    static func lines(_ prepared: PreparedRun) -> [String] {
        let plan = prepared.plan
        var title = "dry run of '\(prepared.run.workflowName)' (\(plan.mode.rawValue)"
        if let base = plan.baseRunID { title += " of \(base)" }
        title += "): \(plan.toRun.count) to run, \(plan.toReuse.count) to reuse; nothing written"
        let rows = plan.stages.map { decision -> [String] in
            var reason = decision.reason.description
            if let from = decision.reuse, decision.action == .reuse { reason += " (from \(from))" }
            return [decision.stageID, decision.action.rawValue, reason]
        }
        return [title] + TextFormat.table(rows)
    }
}
