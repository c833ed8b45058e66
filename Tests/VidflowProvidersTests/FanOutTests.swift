import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore
import VidflowTestSupport
import XCTest

/// `num_outputs: N` on a model whose job makes one video: N provider jobs, each paid once, all polled,
/// downloaded and transcoded in order; cancel and retry act on every job.
final class FanOutTests: XCTestCase {
    private func runway(_ fake: FakeRunwayServer) -> RunwayProvider {
        RunwayProvider(settings: ProviderSettings(apiKeys: ["key_good"], baseURL: fake.baseURL, requestTimeout: 10), pollAfterMs: 20)
    }

    private func workflow(outputs: Int, maxWait: Double = 30) -> String {
        providerWorkflow("fan-out", provider: "runway", generate: [
            "model: gen4.5", "prompt: a red kite over green hills", "image: ${{ inputs.image }}", "seconds: 5",
            "num_outputs: \(outputs)",
        ], inputs: ["image: { type: string }"], maxWait: maxWait, wiring: .restartable(downloadNamesJob: true))
    }

    /// 320x180 clips of 1, 2 and 3 seconds, so each video can be told apart by its length.
    private func clips(_ media: TestMedia, count: Int) throws -> [Data] {
        try (1...count).map { seconds in
            let path = media.directory + "/clip\(seconds).mp4"
            _ = try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                       "testsrc2=size=320x180:rate=25", "-t", "\(seconds)", "-c:v", "libx264",
                                       "-preset", "ultrafast", "-pix_fmt", "yuv420p", path])
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }

    func testThreeVideosOnAOneVideoModelAreThreeJobsDownloadedAndTranscodedInOrder() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: Data(), script: .init(clips: try clips(media, count: 3)))
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [runway(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow(outputs: 3)), inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.tasksCreated, 3, "one Runway task per video")
        let stages = try await world.stages(run.id)
        let ids = try XCTUnwrap(stages["generate"]?.output?["job_ids"]?.arrayValue?.compactMap(\.stringValue))
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual(Set(ids).count, 3)
        let byCreation = fake.tasks.values.sorted { $0.index < $1.index }.map(\.id)
        XCTAssertEqual(ids, byCreation, "job ids in submit order")
        XCTAssertEqual(stages["generate"]?.output?["videos"], 3)
        XCTAssertEqual(stages["generate"]?.output?["estimated_cost"]?["amount"], 1.8, "3 × 5 s × 0.12 USD/s (gen4.5)")
        for (index, id) in ids.enumerated() {
            let record = try await world.store.externalJob(runID: run.id, stageID: ExternalJobSlot.stageID("generate", output: index))
            XCTAssertEqual(record?.externalID, id, "each job has its own never-pay-twice record")
            XCTAssertEqual(record?.idempotencyKey, "vf-\(run.id)-" + ExternalJobSlot.stageID("generate", output: index))
        }
        XCTAssertEqual(fake.createRequests.compactMap { $0.json?["numOutputs"] }, [], "no job is asked for several")
        XCTAssertEqual(stages["poll"]?.output?["urls"]?.arrayValue?.count, 3)
        XCTAssertEqual(stages["poll"]?.output?["cost"], ["credits": 180], "the three costs add up")
        let downloaded = try XCTUnwrap(stages["download"]?.output?["videos"]?.arrayValue)
        XCTAssertEqual(downloaded.compactMap { $0["duration"]?.doubleValue.map { $0.rounded() } }, [1, 2, 3], "in job order")
        XCTAssertEqual(fake.server.requests.filter { $0.path.hasPrefix("/files/") }.count, 3)
        let transcoded = try XCTUnwrap(stages["transcode"]?.output?["videos"]?.arrayValue)
        XCTAssertEqual(transcoded.compactMap { $0["duration"]?.doubleValue.map { $0.rounded() } }, [1, 2, 3])
        XCTAssertEqual(stages["transcode"]?.output?["files"]?.arrayValue?.count, 3)
        XCTAssertEqual(stages["transcode"]?.artifacts.count, 3)
        let counts = try await world.store.providerJobCounts()
        XCTAssertEqual(counts.first { $0.provider == "runway" }?.total, 3)
    }

    func testCancellingTheRunCancelsEveryJobAtTheProvider() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: try media.clipData(), script: .init(stuck: true))
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [runway(fake)])
        defer { world.cleanUp() }
        let definition = try world.definition(workflow(outputs: 3))
        let id = try await world.engine.submit(RunRequest(definition: definition, inputs: ["image": .string(try media.jpeg())]))
        for _ in 0..<400 where try await world.stages(id)["poll"]?.status != .running {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))
        try await world.engine.cancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .cancelled)
        XCTAssertEqual(fake.tasksCreated, 3)
        XCTAssertEqual(fake.tasks.values.filter(\.cancelled).count, 3, "every task is cancelled at Runway")
    }

    func testARunCancelledWhileSubmittingCancelsTheJobsMadeAndSubmitsNoMore() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: try media.clipData(),
                                                    script: .init(stuck: true, laterCreateDelay: .seconds(2)))
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [runway(fake)])
        defer { world.cleanUp() }
        let definition = try world.definition(workflow(outputs: 3))
        let id = try await world.engine.submit(RunRequest(definition: definition, inputs: ["image": .string(try media.jpeg())]))
        for _ in 0..<400 where fake.tasksCreated < 2 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(fake.tasksCreated, 2, "the second submit is under way")
        try await world.engine.cancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .cancelled)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(fake.tasksCreated, 2, "no job is submitted after the cancel")
        let first = try XCTUnwrap(fake.tasks.values.first { $0.index == 0 })
        XCTAssertTrue(first.cancelled, "the job already made is cancelled at Runway")
    }

    func testRetryKeepsTheJobsThatSucceededAndResubmitsOnlyTheFailedOne() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeRunwayServer.Script()
        script.failure = ("INTERNAL.BAD_OUTPUT.CODE01", "The output was broken")
        script.failingTasks = [1]
        let fake = try await FakeRunwayServer.start(clip: try media.clipData(), script: script)
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [runway(fake)])
        defer { world.cleanUp() }
        let definition = try world.definition(workflow(outputs: 3))
        let failed = try await world.run(definition, inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(failed.status, .failed, "one of three failing fails the stage")
        let poll = try await world.stages(failed.id)["poll"]?.error
        XCTAssertEqual(poll?.restartFrom, "generate")
        XCTAssertTrue(poll?.message.contains("video 2 of 3") == true, "\(String(describing: poll))")
        let failedStages = try await world.stages(failed.id)
        let first = try XCTUnwrap(failedStages["generate"]?.output?["job_ids"]?.arrayValue)
        XCTAssertEqual(fake.tasksCreated, 3)

        let retried = try await world.run(definition, mode: .retry, base: failed.id)
        XCTAssertEqual(retried.status, .completed, "\(String(describing: retried.error))")
        XCTAssertEqual(fake.tasksCreated, 4, "only the failed job is paid for again")
        let retriedStages = try await world.stages(retried.id)
        let ids = try XCTUnwrap(retriedStages["generate"]?.output?["job_ids"]?.arrayValue)
        XCTAssertEqual(ids[0], first[0], "a succeeded job is kept")
        XCTAssertEqual(ids[2], first[2])
        XCTAssertNotEqual(ids[1], first[1], "the failed one is new")
        let kept = try await world.store.externalJob(runID: retried.id, stageID: "generate")
        XCTAssertEqual(kept?.externalID, first[0].stringValue)
        XCTAssertNotNil(kept?.request["kept_from"], "the kept record says where it came from")
        let estimate = try await world.stages(retried.id)["generate"]?.output?["estimated_cost"]
        XCTAssertEqual(estimate?["videos"], 1, "the retry paid for one video")
        let counts = try await world.store.providerJobCounts()
        XCTAssertEqual(counts.first { $0.provider == "runway" }?.total, 4, "a kept job is counted once")
    }

    func testACrashAfterTwoOfThreeSubmitsPaysNoJobTwice() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: crash-fan-out
            stages:
              - id: generate
                uses: video.generate
                with: { provider: local, prompt: "three takes", seconds: 1, size: 160x90, num_outputs: 3 }
              - id: poll
                uses: video.poll
                with: { interval: 0.05, max_interval: 0.2 }
              - id: download
                uses: video.download
            """)
        let prepared = try await world.engine.prepare(RunRequest(definition: definition))
        var stages = prepared.stages
        stages[0].status = .running
        stages[0].attempts = 1
        var run = prepared.run
        run.status = .running
        _ = try await world.store.createRun(run, stages: stages, events: [], owner: "elsewhere:999999:dead")
        // The crashed process: job 1 submitted and recorded; job 2's intent recorded and its submit reached
        // the provider, but the answer was lost; job 3 never started.
        let request = VideoRequest(model: "local-v1", prompt: "three takes", seconds: 1, size: "160x90")
        let firstKey = "vf-\(run.id)-generate"
        let secondKey = "vf-\(run.id)-generate.2"
        let first = try await world.local.submit(request, idempotencyKey: firstKey)
        let second = try await world.local.submit(request, idempotencyKey: secondKey)
        var recorded = ExternalJobRecord(runID: run.id, stageID: "generate", provider: "local", idempotencyKey: firstKey,
                                         request: [:], attempt: 1)
        recorded.externalID = first
        let intent = ExternalJobRecord(runID: run.id, stageID: "generate.2", provider: "local", idempotencyKey: secondKey,
                                       request: [:], attempt: 1)
        var batch = StoreBatch()
        batch.jobs = [recorded, intent]
        try await world.store.commit(batch)

        let configuration = EngineConfiguration(dataDirectory: world.directory, maxConcurrency: 4,
                                                cancelPollInterval: .milliseconds(20), staleAfter: 0)
        let engine = Engine(store: world.store, registry: world.registry, artifacts: try FileArtifactStore(root: world.directory),
                            configuration: configuration)
        let claimed = try await engine.recover()
        XCTAssertEqual(claimed, [run.id])
        await engine.waitForAll()
        let finished = try await world.store.run(run.id)
        XCTAssertEqual(finished?.status, .completed, "\(String(describing: finished?.error))")
        XCTAssertEqual(try world.local.jobIDs().count, 3, "three jobs in all: none paid twice")
        let outputs = try await world.stages(run.id)["generate"]?.output
        let ids = try XCTUnwrap(outputs?["job_ids"]?.arrayValue?.compactMap(\.stringValue))
        XCTAssertEqual(Array(ids.prefix(2)), [first, second], "the recorded job, then the reconciled one")
        XCTAssertEqual(Set(ids).count, 3)
        let third = try await world.store.externalJob(runID: run.id, stageID: "generate.3")
        XCTAssertEqual(third?.externalID, ids[2])
        let download = try await world.stages(run.id)["download"]
        XCTAssertEqual(download?.output?["files"]?.arrayValue?.count, 3)
    }

    func testAJobThatMakesTwoVideosDownloadsBothWithTheKey() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeGoogleVeoServer.start(video: try media.clipData())
        defer { Task { await fake.stop() } }
        let google = GoogleVeoProvider(settings: fake.settings(), pollAfterMs: 20)
        let world = try ProvidersWorld(extraProviders: [google])
        defer { world.cleanUp() }
        let yaml = providerWorkflow("veo-two", provider: "google", generate: [
            "model: veo-2.0-generate-001", "prompt: two takes of a lighthouse", "seconds: 5", "num_outputs: 2",
        ])
        let run = try await world.run(try world.definition(yaml))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.creates.count, 1, "Veo 2 makes both in one operation")
        XCTAssertEqual(fake.creates.first?.json?["parameters"]?["sampleCount"], 2)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["generate"]?.output?["job_ids"]?.arrayValue?.count, 1)
        XCTAssertEqual(stages["download"]?.output?["files"]?.arrayValue?.count, 2, "every video of the job")
        XCTAssertEqual(stages["transcode"]?.output?["files"]?.arrayValue?.count, 2)
        let downloads = fake.downloads
        XCTAssertEqual(Set(downloads.map(\.path)).count, 2, "both samples fetched")
        XCTAssertTrue(downloads.allSatisfy { $0.headers["x-goog-api-key"] == "test-key" }, "each with the provider's key")
    }
}
