import Foundation
import VidflowCore

/// A cancelled run's paid jobs, stopped whatever stage the run was in.
extension RunExecution {
    /// Hands the jobs this run recorded (`submitOnce`) to the stage types that made them
    /// (`ExternalJobCancelling`), once every stage has stopped; returns their notes as log events, for
    /// the run's last batch. A job whose submit had not answered has no id and nothing to stop.
    func stopExternalJobs() async -> [NewEvent] {
        let jobs: [ExternalJobRecord]
        do {
            jobs = try await services.store.externalJobs(ofRun: runID)
        } catch {
            services.logger.error("run \(runID): cannot read its provider jobs to cancel them: \(error)")
            return []
        }
        var byType: [String: [ExternalJobRecord]] = [:]
        for job in jobs where job.externalID != nil {
            // A slot `generate.2` belongs to stage `generate` (stage ids hold no `.`).
            let stageID = job.stageID.split(separator: ".", maxSplits: 1).first.map(String.init) ?? job.stageID
            guard let uses = definitions[stageID]?.uses else { continue }
            byType[uses, default: []].append(job)
        }
        guard !byType.isEmpty else { return [] }
        let records = graph.ids.compactMap { stages[$0] }
        var events: [NewEvent] = []
        for (typeName, jobs) in byType.sorted(by: { $0.key < $1.key }) {
            guard let canceller = services.registry.stage(typeName) as? any ExternalJobCancelling else { continue }
            for note in await canceller.cancelJobs(jobs, stages: records) {
                let message = SecretScrubber.scrub(run.fileAccess?.scrub(note.message) ?? note.message)
                events.append(NewEvent(runID: runID, stageID: note.stageID, kind: .log,
                                       data: ["stage": .string(note.stageID), "message": .string(message)]))
            }
        }
        return events
    }
}
