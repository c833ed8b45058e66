import Foundation
import VidflowCore

/// `video.poll`: waits for a provider job to finish, reporting its progress, and outputs where the video is.
///
/// A job that fails or is cancelled at the provider fails the stage with `restartFrom` set to the stage
/// that submitted it, so `retry` submits a new job instead of polling the dead one again. Waiting longer
/// than `max_wait` fails with `timeout` (a retry keeps polling the same job).
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
                OutputSpec("cost", .any, description: "What the job cost, in the provider's terms, when it says."),
                OutputSpec("urls", .array, description: "Every video of the job (several with num_outputs)."),
            ]
        )
    }

    public func pool(for parameters: [String: JSONValue]) -> String? {
        "provider:" + (parameters["provider"]?.stringValue ?? "local")
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let jobID = try context.requireString("job_id")
        let name = context.string("provider") ?? "local"
        guard let provider = providers.provider(name) else {
            throw StageFailure(.invalidInput, "unknown provider '\(name)' (known: \(providers.names.joined(separator: ", ")))")
        }
        let restartFrom = context.string("restart_from").flatMap { $0.isEmpty ? nil : $0 }
        let maxWait = max(0, context.double("max_wait") ?? 600)
        let schedule = PollSchedule(initialMs: Int((context.double("interval") ?? 0.5) * 1000),
                                    maxMs: Int((context.double("max_interval") ?? 10) * 1000))
        let deadline = ContinuousClock.now + .milliseconds(Int(maxWait * 1000))
        do {
            return try await poll(provider, jobID: jobID, schedule: schedule, deadline: deadline, maxWait: maxWait,
                                  restartFrom: restartFrom, context: context)
        } catch {
            if Task.isCancelled, provider.features.cancel, await context.isRunCancelled {
                // The run was cancelled: stop paying for the job too. Detached, since this task is cancelled.
                let outcome = await Task.detached { try await provider.cancel(jobID) }.result
                await context.log(outcome.isSuccess ? "cancelled job \(jobID) at \(name)"
                                  : "could not cancel job \(jobID) at \(name): \(outcome.failureText)")
            }
            throw error
        }
    }

    private func poll(_ provider: any VideoProvider, jobID: String, schedule: PollSchedule, deadline: ContinuousClock.Instant,
                      maxWait: Double, restartFrom: String?, context: any StageContext) async throws -> StageResult {
        let name = provider.name
        var schedule = schedule
        var lastState: VideoJobStatus.State?
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
                if status.state != lastState {
                    await context.log("job \(jobID) at \(name) is \(status.state.rawValue)")
                    lastState = status.state
                }
                if let progress = status.progress { await context.reportProgress(progress) }
                if let result = try finished(status, jobID: jobID, provider: name, restartFrom: restartFrom) {
                    return result
                }
                hintMs = status.pollAfterMs
            } catch let error as ProviderError where error.kind == .transient || error.kind == .rateLimited {
                await context.log("status of job \(jobID) failed, will poll again: \(error)")
                hintMs = error.retryAfterMs
            } catch let error as ProviderError {
                throw error.stageFailure()
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw StageFailure(.timeout, "job \(jobID) at \(name) did not finish within \(Self.seconds(maxWait)) (max_wait)")
            }
            let wait = min(.milliseconds(schedule.next(hintMs: hintMs)), remaining)
            if provider.features.callbacks {
                // Wakes early when the provider calls back; the next loop reads the pushed state.
                _ = await providers.callbacks.wait(provider: name, jobID: jobID, upTo: wait)
                try Task.checkCancellation()
            } else {
                try await Task.sleep(for: wait)
            }
        }
    }

    /// The stage result for a finished job, a failure for a failed one, nil while it is still going.
    private func finished(_ status: VideoJobStatus, jobID: String, provider: String,
                          restartFrom: String?) throws -> StageResult? {
        switch status.state {
        case .queued, .running:
            return nil
        case .succeeded:
            guard let result = status.result else {
                throw StageFailure(.providerFailed, "job \(jobID) at \(provider) succeeded without a result", restartFrom: restartFrom)
            }
            var outputs: [String: JSONValue] = ["url": .string(result.url), "status": "succeeded",
                                                "job_id": .string(jobID), "provider": .string(provider)]
            outputs["cost"] = status.cost
            outputs["urls"] = .array(([result] + status.additionalResults).map { .string($0.url) })
            return StageResult(outputs: outputs)
        case .failed, .cancelled:
            let reason = status.errorMessage ?? "no reason given"
            throw StageFailure(status.errorKind ?? .providerFailed,
                               "job \(jobID) at \(provider) \(status.state.rawValue): \(reason)", restartFrom: restartFrom)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value)) s" : "\(value) s"
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
    var failureText: String { if case .failure(let error) = self { "\(error)" } else { "" } }
}
