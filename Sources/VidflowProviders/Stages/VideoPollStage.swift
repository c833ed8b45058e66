import Foundation
import VidflowCore

/// `video.poll`: waits for a provider job to finish, reporting its progress, and outputs where the video is.
///
/// After a `video.generate` that fanned `num_outputs` out into several jobs (`job_ids`), every job is
/// polled at once; progress is their average and `urls` lists every video in job order.
///
/// A job that fails or is cancelled at the provider fails the stage with `restartFrom` set to the stage
/// that submitted it, so `retry` submits a new job instead of polling the dead one again (with several,
/// the first failure fails the stage; the retry keeps the jobs that are alive or done and resubmits the
/// rest). Waiting longer than `max_wait` fails with `timeout` (a retry keeps polling the same jobs). A
/// cancelled run cancels every job at the provider (`VideoGenerateStage.cancelJobs`, whatever stage the
/// run is in). Between polls the stage holds no execution slot, only its provider's pool slot.
public struct VideoPollStage: Stage {
    public let providers: ProviderRegistry

    public init(providers: ProviderRegistry) {
        self.providers = providers
    }

    public var typeName: String { "video.poll" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("job_id", .string, required: true, default: "${{ previous.outputs.job_id }}"),
                // Wired with itself: the default applies only where the stage before has `job_ids`.
                ParameterSpec("job_ids", .array, default: "${{ previous.outputs.job_ids }}",
                              description: "Every job of a fanned-out generate; used when its first is job_id.",
                              wiredWith: "job_ids"),
                ParameterSpec("provider", .string, default: "${{ previous.outputs.provider }}"),
                ParameterSpec("restart_from", .string, default: "${{ previous.outputs.stage_id }}",
                              description: "The stage a retry re-runs when the job fails at the provider."),
                ParameterSpec("max_wait", .number, default: 600, description: "Seconds to wait before failing with timeout."),
                ParameterSpec("interval", .number, default: 0.5, description: "First wait between polls, in seconds."),
                ParameterSpec("max_interval", .number, default: 10, description: "Longest wait between polls, in seconds."),
            ],
            outputs: [
                OutputSpec("url", .string, description: "Where the video can be downloaded (http(s) or file URL)."),
                OutputSpec("status", .string),
                OutputSpec("job_id", .string),
                OutputSpec("provider", .string),
                OutputSpec("cost", .any, description: "What the jobs cost, in the provider's terms, when it says (summed)."),
                OutputSpec("costs", .array, description: "Each job's cost, in order."),
                OutputSpec("urls", .array, description: "Every video of every job, in order (several with num_outputs)."),
                OutputSpec("job_ids", .array, description: "Every job polled, in order."),
            ]
        )
    }

    public func pool(for parameters: [String: JSONValue]) -> String? {
        "provider:" + (parameters["provider"]?.stringValue ?? "local")
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let jobID = try context.requireString("job_id")
        let jobIDs = Self.jobIDs(context, first: jobID)
        let name = context.string("provider") ?? "local"
        guard let provider = providers.provider(name) else {
            throw StageFailure(.invalidInput, "unknown provider '\(name)' (known: \(providers.names.joined(separator: ", ")))")
        }
        let restartFrom = context.string("restart_from").flatMap { $0.isEmpty ? nil : $0 }
        let maxWait = max(0, context.double("max_wait") ?? 600)
        let schedule = PollSchedule(initialMs: Int((context.double("interval") ?? 0.5) * 1000),
                                    maxMs: Int((context.double("max_interval") ?? 10) * 1000))
        var watch = JobWatch(provider: provider, schedule: schedule, deadline: ContinuousClock.now + .milliseconds(Int(maxWait * 1000)),
                             maxWait: maxWait, restartFrom: restartFrom, count: jobIDs.count)
        // With enough history of the model's durations, polls go where its jobs usually finish.
        watch.histories = await JobPollHistory.load(jobIDs, provider: name, context: context)
        watch.callbacksConfigured = provider.features.callbacks && providers.settings[name]?.callbackURL != nil
        // A cancelled run's jobs are stopped by the engine through `video.generate` (`ExternalJobCancelling`).
        let finished = try await pollAll(jobIDs, watch: watch, context: context)
        return Self.result(finished, jobIDs: jobIDs, provider: name)
    }

    /// `job_ids` when it continues `job_id` (the generate stage's list), else just `job_id`.
    static func jobIDs(_ context: any StageContext, first: String) -> [String] {
        let listed = (context.parameters["job_ids"]?.arrayValue ?? []).compactMap(\.stringValue)
        return listed.first == first ? listed : [first]
    }

    /// Every job polled at once; the statuses in job order. The first failure fails them all.
    private func pollAll(_ jobIDs: [String], watch: JobWatch, context: any StageContext) async throws -> [VideoJobStatus] {
        if jobIDs.count == 1 {
            return [try await poll(jobIDs[0], index: 0, watch: watch, context: context) { await context.reportProgress($0) }]
        }
        let progress = CombinedProgress(count: jobIDs.count, context: context)
        return try await withThrowingTaskGroup(of: (Int, VideoJobStatus).self) { group in
            for (index, id) in jobIDs.enumerated() {
                group.addTask {
                    (index, try await poll(id, index: index, watch: watch, context: context) { await progress.report($0, for: index) })
                }
            }
            var statuses = [VideoJobStatus?](repeating: nil, count: jobIDs.count)
            for try await (index, status) in group { statuses[index] = status }
            return statuses.compactMap { $0 }
        }
    }

    /// Polls one job until it succeeds (its status) or fails (a `StageFailure`), or the deadline passes.
    private func poll(_ jobID: String, index: Int, watch: JobWatch, context: any StageContext,
                      report: @Sendable (Int) async -> Void) async throws -> VideoJobStatus {
        let provider = watch.provider
        let name = provider.name
        var schedule = watch.schedule(for: index)
        var lastState: VideoJobStatus.State?
        if schedule.firstWaitMs > 0 {
            try await wait(min(.milliseconds(schedule.firstWaitMs), ContinuousClock.now.duration(to: watch.deadline)),
                           for: jobID, provider: provider)
        }
        while true {
            try Task.checkCancellation()
            var hintMs: Int?
            do {
                // A callback that already arrived answers without a request.
                let status: VideoJobStatus
                if let pushed = providers.callbacks.latest(provider: name, jobID: jobID), pushed.state.isTerminal,
                   pushed.state != .succeeded || pushed.result != nil {
                    status = pushed
                } else {
                    status = try await provider.status(of: jobID)
                }
                let sawUnfinished = lastState != nil   // an earlier answer, which did not end the loop
                if status.state != lastState {
                    await context.log("job \(jobID)\(watch.label(index)) at \(name) is \(status.state.rawValue)")
                    lastState = status.state
                }
                if let progress = status.progress { await report(progress) }
                if try finished(status, jobID: jobID, index: index, watch: watch) {
                    await watch.recordSuccess(of: index, sawUnfinished: sawUnfinished)
                    return status
                }
                hintMs = status.pollAfterMs
            } catch let error as ProviderError where error.kind == .transient || error.kind == .rateLimited {
                await context.log("status of job \(jobID) failed, will poll again: \(error)")
                hintMs = error.retryAfterMs
            } catch let error as ProviderError {
                throw error.stageFailure()
            }
            let remaining = ContinuousClock.now.duration(to: watch.deadline)
            guard remaining > .zero else {
                throw StageFailure(.timeout, "job \(jobID)\(watch.label(index)) at \(name) did not finish within "
                                   + "\(Self.seconds(watch.maxWait)) (max_wait)")
            }
            try await wait(min(.milliseconds(schedule.next(hintMs: hintMs)), remaining), for: jobID, provider: provider)
        }
    }

    /// Waits before the next status request; a provider that calls back ends the wait early. Waiting holds
    /// no execution slot (`ExecutionSlot`): the provider's pool slot alone bounds the jobs in flight.
    private func wait(_ duration: Duration, for jobID: String, provider: any VideoProvider) async throws {
        try await ExecutionSlot.released {
            if provider.features.callbacks {
                // Wakes early when the provider calls back; the next loop reads the pushed state.
                _ = await providers.callbacks.wait(provider: provider.name, jobID: jobID, upTo: duration)
                try Task.checkCancellation()
            } else {
                try await Task.sleep(for: duration)
            }
        }
    }

    /// True for a job that succeeded with a result, false while it is still going; throws for a failed one.
    private func finished(_ status: VideoJobStatus, jobID: String, index: Int, watch: JobWatch) throws -> Bool {
        let provider = watch.provider.name
        let label = watch.label(index)
        switch status.state {
        case .queued, .running:
            return false
        case .succeeded:
            guard status.result != nil else {
                throw StageFailure(.providerFailed, "job \(jobID)\(label) at \(provider) succeeded without a result",
                                   restartFrom: watch.restartFrom)
            }
            return true
        case .failed, .cancelled:
            let reason = status.errorMessage ?? "no reason given"
            let others = watch.count > 1 && watch.restartFrom != nil
                ? " (a retry keeps the other jobs that are running or done and submits this one again)" : ""
            throw StageFailure(status.errorKind ?? .providerFailed,
                               "job \(jobID)\(label) at \(provider) \(status.state.rawValue): \(reason)\(others)",
                               restartFrom: watch.restartFrom)
        }
    }

    /// The stage result for finished jobs: the first video as `url`, every video in `urls`, costs summed.
    static func result(_ statuses: [VideoJobStatus], jobIDs: [String], provider: String) -> StageResult {
        let results = statuses.flatMap { status in status.result.map { [$0] + status.additionalResults } ?? [] }
        var outputs: [String: JSONValue] = ["url": .string(results.first?.url ?? ""), "status": "succeeded",
                                            "job_id": .string(jobIDs.first ?? ""), "provider": .string(provider),
                                            "job_ids": .array(jobIDs.map(JSONValue.string))]
        let costs = statuses.map { $0.cost ?? .null }
        outputs["cost"] = jobIDs.count == 1 ? statuses.first?.cost : JobCost.sum(costs)
        outputs["costs"] = .array(costs)
        outputs["urls"] = .array(results.map { .string($0.url) })
        return StageResult(outputs: outputs)
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value)) s" : "\(value) s"
    }
}
