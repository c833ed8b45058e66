import Foundation
import VidflowCore

/// The jobs one `video.generate` stage made: one, or one per video when `num_outputs` fans out.
struct SubmittedJobs: Sendable {
    var jobs: [ExternalJob]
    var model: String
    /// Videos the jobs make together.
    var videos: Int
    var estimate: CostEstimate?

    /// The stage outputs (without `stage_id` and `failover`, which the stage adds).
    var outputs: [String: JSONValue] {
        [
            "job_id": .string(jobs.first?.externalID ?? ""), "job_ids": .array(jobs.map { .string($0.externalID) }),
            "provider": .string(jobs.first?.provider ?? ""), "model": .string(model), "videos": .int(videos),
            "estimated_cost": estimate?.json ?? .null,
        ]
    }
}

extension VideoGenerateStage {
    /// Submits `request` as one job, or — where the model's job makes one video and `num_outputs` asks for N —
    /// as N jobs, one after another, each through its own `submitOnce` record (output 0, 1, …), so a crash
    /// after some of them pays none twice. Only the first may fail over to another provider: once a job
    /// exists, the others go to the same provider. A run cancelled midway has the jobs already made cancelled
    /// by the engine (`cancelJobs`).
    func submitJobs(_ final: VideoRequest, capabilities: ProviderCapabilities, to provider: any VideoProvider,
                    context: any StageContext) async throws -> SubmittedJobs {
        let count = capabilities.jobs(forOutputs: final.numOutputs)
        var perJob = final
        if count > 1 {
            perJob.numOutputs = nil
            await context.log("\(provider.name) makes one video per job: submitting \(count) jobs")
        }
        var made: [ExternalJob] = []
        // A run cancelled midway has the jobs already made cancelled by the engine (`cancelJobs`).
        for output in 0..<count {
            try Task.checkCancellation()
            do {
                made.append(try await submitOne(perJob, output: output, of: count, to: provider, context: context))
            } catch let error as ProviderError where output > 0 {
                throw error.stageFailure()   // a job exists already: no failover for the rest
            }
        }
        let videos = count > 1 ? count : max(1, final.numOutputs ?? 1)
        let paid = made.filter { $0.origin != .kept }.count
        let paidVideos = count > 1 ? paid : (paid == 0 ? 0 : videos)
        let estimate = paidVideos == 0 ? nil : providers.pricing.estimate(
            provider: provider.name, model: final.model ?? "", seconds: final.seconds ?? capabilities.defaultSeconds,
            count: paidVideos, size: final.size, resolution: final.resolution, audio: final.generateAudio)
        return SubmittedJobs(jobs: made, model: final.model ?? "", videos: videos, estimate: estimate)
    }

    /// One job through `submitOnce`. With several, a retry keeps the base run's job for this output when
    /// the provider still has it running or done (`keep`), and each recorded request names its output.
    private func submitOne(_ request: VideoRequest, output: Int, of count: Int, to provider: any VideoProvider,
                           context: any StageContext) async throws -> ExternalJob {
        let key = "vf-\(context.runID)-\(ExternalJobSlot.stageID(context.stageID, output: output))"
        let wire = (try? provider.wireRequest(for: request, idempotencyKey: key)).map(WireRedaction.redact) ?? .null
        var recorded: [String: JSONValue] = ["unified": request.json, "provider_request": wire]
        if count > 1 {
            recorded["output"] = .int(output + 1)
            recorded["outputs"] = .int(count)
        }
        let registry = providers
        let keepAlive: @Sendable (ExternalJob) async -> Bool = { earlier in await Self.isAlive(earlier, providers: registry) }
        let keep = count > 1 ? keepAlive : nil
        let job = try await context.submitOnce(
            output: output, provider: provider.name, request: .object(recorded), keep: keep,
            reconcile: { name, key in
                guard let recorded = registry.provider(name) else { return nil }
                return try await recorded.lookup(idempotencyKey: key, request: request)
            },
            submit: { key in try await provider.submit(request, idempotencyKey: key) })
        let which = count > 1 ? " (video \(output + 1) of \(count))" : ""
        await context.log("\(job.origin.rawValue) job \(job.externalID) at \(job.provider)\(which)")
        return job
    }

    /// Whether an earlier job is worth keeping: the provider says it is queued, running or succeeded.
    private static func isAlive(_ job: ExternalJob, providers: ProviderRegistry) async -> Bool {
        guard let provider = providers.provider(job.provider),
              let status = try? await provider.status(of: job.externalID) else { return false }
        return status.state != .failed && status.state != .cancelled
    }
}
