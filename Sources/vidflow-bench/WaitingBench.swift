import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore

/// `inflight` generations waiting at once on a provider whose jobs last 10 minutes (`LongJobProvider`),
/// with the engine's default 8 execution slots and a provider pool as large as `inflight`: how many jobs
/// are in flight, the process's memory (RSS) and CPU while they wait, then the time to cancel every run
/// and whether every job created was cancelled at the provider.
func runWaitingBench(inFlight: Int, idleSeconds: Int, settleSeconds: Int) async throws {
    let directory = NSTemporaryDirectory() + "vidflow-waiting-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let provider = LongJobProvider()
    let providers = ProviderRegistry([provider])
    let registry = StageRegistry([VideoGenerateStage(providers: providers), VideoPollStage(providers: providers)])
    let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
    let configuration = EngineConfiguration(dataDirectory: directory, poolLimits: ["provider:\(provider.name)": inFlight])
    let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                        configuration: configuration)
    await engine.start()
    let definition = try DefinitionValidator(registry: registry).load("""
        name: waiting
        stages:
          - { id: generate, uses: video.generate, with: { provider: \(provider.name), prompt: "a slow fox" } }
          - { id: poll, uses: video.poll, with: { max_wait: 3600 } }
        """, file: "waiting.yaml")
    print("waiting bench: \(inFlight) generations on a provider whose jobs last 10 min, "
          + "\(configuration.maxConcurrency) execution slots, provider pool \(inFlight)")
    let baseline = ProcessSample.now()

    let submitStart = ContinuousClock.now
    var ids: [String] = []
    ids.reserveCapacity(inFlight)
    try await withThrowingTaskGroup(of: String.self) { group in
        var next = 0
        while next < min(inFlight, 64) { next += 1; group.addTask { try await engine.submit(RunRequest(definition: definition)) } }
        while let id = try await group.next() {
            ids.append(id)
            if next < inFlight { next += 1; group.addTask { try await engine.submit(RunRequest(definition: definition)) } }
        }
    }
    // In flight: every job created and every poll past its first status request (then waiting).
    let deadline = ContinuousClock.now + .seconds(600)
    while provider.created < inFlight || provider.statusRequests < inFlight {
        guard ContinuousClock.now < deadline else {
            throw BenchError("only \(provider.created) of \(inFlight) jobs in flight after 10 min")
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    let ramp = seconds(ContinuousClock.now - submitStart)
    // Polls start 0.5 s apart and back off to 10 s: measure the steady wait, not the first polls.
    try await Task.sleep(for: .seconds(settleSeconds))
    let before = ProcessSample.now()
    let requestsBefore = provider.statusRequests
    try await Task.sleep(for: .seconds(idleSeconds))
    let after = ProcessSample.now()
    let cpu = (after.cpuSeconds - before.cpuSeconds) / seconds(after.at - before.at) * 100
    let statusPerSecond = Double(provider.statusRequests - requestsBefore) / seconds(after.at - before.at)
    print(String(format: "  %d jobs in flight at once after %.1f s (the provider saw %d created before any finished)",
                 provider.created, ramp, provider.created))
    print(String(format: "  waiting: RSS %.1f MB (%.1f MB before the runs, %.1f KB per waiting run; target < 150 MB for 1,000, "
                 + "< 500 MB for 10,000); CPU %.1f %% of one core over %d s idle after %d s (%.0f status requests/s; target < 5 %%)",
                 after.rssMB, baseline.rssMB, (after.rssMB - baseline.rssMB) * 1024 / Double(inFlight), cpu, idleSeconds,
                 settleSeconds, statusPerSecond))

    let cancelStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for id in ids { group.addTask { try await engine.cancel(id) } }
        try await group.waitForAll()
    }
    var notCancelled = 0
    for id in ids where try await engine.wait(id).status != .cancelled { notCancelled += 1 }
    let cancelTime = seconds(ContinuousClock.now - cancelStart)
    print(String(format: "  cancelling all %d runs: %.2f s until every run is cancelled (target < 2 s for 1,000); provider jobs created %d, "
                 + "cancelled %d (cancel calls %d)%@", ids.count, cancelTime, provider.created, provider.cancelled,
                 provider.cancelCalls, notCancelled == 0 ? "" : ", \(notCancelled) runs NOT cancelled"))
    await engine.stop()
}

/// The process's resident memory and CPU time at one instant.
struct ProcessSample {
    var rssMB: Double
    var cpuSeconds: Double
    var at: ContinuousClock.Instant

    static func now() -> ProcessSample {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return ProcessSample(rssMB: residentMB(), cpuSeconds: cpu, at: .now)
    }

    /// VmRSS from /proc/self/status, in MB (0 where there is no /proc).
    private static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }
}
