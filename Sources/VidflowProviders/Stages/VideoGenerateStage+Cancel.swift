import Foundation
import VidflowCore

/// A cancelled run stops every job its `video.generate` stages submitted (each slot of a fan-out),
/// whether the run was polling them, between generate and poll, or still submitting.
extension VideoGenerateStage: ExternalJobCancelling {
    public func cancelJobs(_ jobs: [ExternalJobRecord], stages: [StageRecord]) async -> [CancelledJobNote] {
        let finished = Self.finishedJobs(stages, pollType: VideoPollStage(providers: providers).typeName)
        let registry = providers
        let pending = jobs.compactMap { job -> (job: ExternalJobRecord, id: String)? in
            guard let id = job.externalID, !finished.contains(id) else { return nil }
            return (job, id)
        }
        return await withTaskGroup(of: (Int, CancelledJobNote?).self) { group in
            for (index, entry) in pending.enumerated() {
                group.addTask {
                    (index, await Self.cancel(entry.id, at: entry.job.provider, slot: entry.job.stageID, providers: registry))
                }
            }
            var notes = [CancelledJobNote?](repeating: nil, count: pending.count)
            for await (index, note) in group { notes[index] = note }
            return notes.compactMap { $0 }
        }
    }

    /// Job ids a completed `video.poll` of the run saw succeed: nothing left to stop there.
    static func finishedJobs(_ stages: [StageRecord], pollType: String) -> Set<String> {
        var finished: Set<String> = []
        for stage in stages where stage.type == pollType && stage.status == .completed {
            let listed = (stage.output?["job_ids"]?.arrayValue ?? []) + [stage.output?["job_id"] ?? .null]
            finished.formUnion(listed.compactMap(\.stringValue))
        }
        return finished
    }

    /// Cancels one job at its provider; the note for the log of the stage that submitted it.
    private static func cancel(_ jobID: String, at name: String, slot: String, providers: ProviderRegistry) async -> CancelledJobNote? {
        let stageID = slot.split(separator: ".", maxSplits: 1).first.map(String.init) ?? slot
        guard let provider = providers.provider(name) else { return nil }
        guard provider.features.cancel else {
            return CancelledJobNote(stageID: stageID, message: "job \(jobID) at \(name) keeps running: \(name) cannot cancel jobs")
        }
        do {
            try await provider.cancel(jobID)
            return CancelledJobNote(stageID: stageID, message: "cancelled job \(jobID) at \(name)")
        } catch {
            return CancelledJobNote(stageID: stageID, message: "could not cancel job \(jobID) at \(name): \(error)")
        }
    }
}
