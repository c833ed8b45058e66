import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The Runway adapter against a fake that speaks Runway's API: camelCase fields, the version header,
/// task states, retries, a lost create answer, failures, cancel, key rotation and a whole workflow.
final class RunwayProviderTests: XCTestCase {
    private func provider(_ fake: FakeRunwayServer, keys: [String] = ["key_good"], timeout: Int = 10) -> RunwayProvider {
        RunwayProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, requestTimeout: timeout), pollAfterMs: 20)
    }

    private func workflow(maxWait: Double = 30, attempts: Int = 3) -> String {
        providerWorkflow("runway-video", provider: "runway", generate: [
            "model: gen4.5", "prompt: a red kite over green hills", "image: ${{ inputs.image }}", "seconds: 5",
            "aspect_ratio: \"16:9\"", "seed: 42",
        ], inputs: ["image: { type: string }"], maxWait: maxWait, attempts: attempts)
    }

    func testSubmitSendsCamelCaseFieldsTheBearerKeyAndTheVersionHeader() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        let image = try media.jpeg()
        let last = try media.jpeg("last.jpg")
        _ = try await runway.submit(VideoRequest(model: "gen4.5", prompt: "a fox", seconds: 5, aspectRatio: "16:9", seed: 7,
                                                 image: image, extraBody: ["contentModeration": ["publicFigureThreshold": "low"]]),
                                    idempotencyKey: "k1")
        _ = try await runway.submit(VideoRequest(model: "veo3.1", prompt: "a cat", seconds: 6, aspectRatio: "9:16",
                                                 resolution: "1080p", negativePrompt: "blur", generateAudio: false),
                                    idempotencyKey: "k2")
        _ = try await runway.submit(VideoRequest(model: "veo3.1_fast", prompt: "dawn", seconds: 4, image: image, lastFrame: last),
                                    idempotencyKey: "k3")
        let i2v = fake.server.requests("POST", "/v1/image_to_video")
        let t2v = fake.server.requests("POST", "/v1/text_to_video")
        XCTAssertEqual(i2v.count, 2)
        XCTAssertEqual(t2v.count, 1)
        for request in i2v + t2v {
            XCTAssertEqual(request.headers["authorization"], "Bearer key_good")
            XCTAssertEqual(request.headers["x-runway-version"], "2024-11-06")
            XCTAssertEqual(request.headers["content-type"], "application/json")
        }
        let first = try XCTUnwrap(i2v[0].json)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: image)).base64EncodedString()
        XCTAssertEqual(first["promptImage"], .string("data:image/jpeg;base64," + jpeg))
        XCTAssertEqual(first["model"], "gen4.5")
        XCTAssertEqual(first["promptText"], "a fox")
        XCTAssertEqual(first["ratio"], "1280:720")
        XCTAssertEqual(first["duration"], 5)
        XCTAssertEqual(first["seed"], 7)
        XCTAssertEqual(first["contentModeration"], ["publicFigureThreshold": "low"], "extra_body merged")
        XCTAssertEqual(Set(first.objectValue?.keys.map { $0 } ?? []),
                       ["model", "promptText", "promptImage", "ratio", "duration", "seed", "contentModeration"])
        XCTAssertEqual(t2v[0].json, ["model": "veo3.1", "promptText": "a cat", "ratio": "1080:1920", "duration": 6,
                                     "negativePrompt": "blur", "audio": false])
        let frames = try XCTUnwrap(i2v[1].json?["promptImage"]?.arrayValue)
        XCTAssertEqual(frames.map { $0["position"] }, ["first", "last"])
        XCTAssertTrue(frames[1]["uri"]?.stringValue?.hasPrefix("data:image/jpeg;base64,") == true)
        XCTAssertEqual(i2v[1].json?["ratio"], "1280:720", "ratio is required for veo3.1; 16:9 720p by default")

        let wire = WireRedaction.redact(try runway.wireRequest(for: VideoRequest(prompt: "a fox", image: image), idempotencyKey: "k"))
        XCTAssertEqual(wire["path"], "/v1/image_to_video")
        XCTAssertEqual(wire["body"]?["model"], "gen4.5", "the default model")
        XCTAssertFalse(wire.canonicalJSON.contains(jpeg), "inline image bytes are not recorded")
        XCTAssertFalse(wire.canonicalJSON.contains("key_good"))
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: try media.clipData())
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()), inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.tasksCreated, 1)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["poll"]?.output?["cost"], ["credits": 60], "Runway's cost is recorded")
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["transcode"]?.status, .completed)
        let download = try XCTUnwrap(fake.server.requests.first { $0.path.hasPrefix("/files/") })
        XCTAssertNil(download.headers["authorization"], "output URLs are pre-signed; the key is not sent along")
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        XCTAssertEqual(job?.request["provider_request"]?["body"]?["ratio"], "1280:720", "the provider request is recorded")
        XCTAssertEqual(job?.request["provider_request"]?["body"]?["seed"], 42)
        XCTAssertTrue(job?.request["provider_request"]?["body"]?["promptImage"]?.stringValue?.contains("base64 chars") == true)
    }

    func testStatesMapToTheUnifiedVocabularyWithProgressAndThePollHint() async throws {
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        let id = try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        var seen: [VideoJobStatus] = []
        for _ in 0..<4 { seen.append(try await runway.status(of: id)) }
        XCTAssertEqual(seen.map(\.state), [.queued, .queued, .running, .succeeded], "PENDING, THROTTLED, RUNNING, SUCCEEDED")
        XCTAssertEqual(seen[2].progress, 60, "a 0–1 progress becomes a percentage")
        XCTAssertEqual(seen[0].pollAfterMs, 20)
        XCTAssertTrue(seen[3].result?.url.hasPrefix(fake.baseURL + "/files/\(id).mp4") == true)
        XCTAssertEqual(RunwayProvider(settings: ProviderSettings(apiKeys: ["k"])).capabilities.models.first, "gen4.5")
        let production = RunwayProvider(settings: ProviderSettings(apiKeys: ["key_good"], baseURL: fake.baseURL))
        let hint = try await production.status(of: id).pollAfterMs
        XCTAssertNil(hint, "finished tasks carry no hint")
        let other = try await production.submit(VideoRequest(prompt: "y"), idempotencyKey: "k2")
        let pending = try await production.status(of: other)
        XCTAssertEqual(pending.pollAfterMs, 5000, "Runway asks for at least 5 s between polls")
    }

    func testRateLimitedCreateWaitsForRetryAfterThenSucceeds() async throws {
        var script = FakeRunwayServer.Script()
        script.createFailures = [.json(["error": "You have exceeded your daily generation limit."], status: 429,
                                       headers: [("Retry-After", "1")])]
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let started = Date()
        let id = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.createRequests.count, 2)
        XCTAssertEqual(fake.tasksCreated, 1)
        XCTAssertNotNil(fake.tasks[id])
    }

    func testServerErrorsAreRetriedThenSucceed() async throws {
        var script = FakeRunwayServer.Script()
        script.createFailures = [.json(["error": "Internal server error"], status: 500)]
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        let id = try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.createRequests.count, 2, "a 500 answer created nothing, so the create is repeated")
        XCTAssertEqual(fake.tasksCreated, 1)
        fake.update { $0.statusFailures = [.text("Bad Gateway", status: 502, contentType: "text/html")] }
        let status = try await runway.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(fake.server.requests("GET", "/v1/tasks/\(id)").count, 2)
    }

    func testACreateWhoseAnswerTimedOutFailsWithoutASecondTask() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeRunwayServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeRunwayServer.start(clip: try media.clipData(), script: script)
        defer { Task { await fake.stop() } }
        let runway = provider(fake, timeout: 1)
        XCTAssertFalse(runway.features.reconcile)
        try await assertGenerateFails(workflow(), with: runway, inputs: ["image": .string(try media.jpeg())],
                                      kind: .providerFailed, contains: "no way to find a job")
        XCTAssertEqual(fake.createRequests.count, 1, "a create whose answer was lost is never sent again")
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testMalformedJSONIsTransientAndACreateWithABrokenAnswerIsNotRepeated() async throws {
        var script = FakeRunwayServer.Script()
        script.createFailures = [.text("{\"id\": \"6f2c", status: 200, contentType: "application/json")]
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        let error = await expectProviderError(.transient, contains: "not JSON") {
            try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false, "a 200 answer may have created a task")
        XCTAssertEqual(fake.createRequests.count, 1)
        let id = try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k2")
        fake.update { $0.statusFailures = [.text("<html>oops</html>", status: 200, contentType: "text/html")] }
        await expectProviderError(.transient) { try await runway.status(of: id) }
    }

    func testATaskStuckRunningTimesOutAtMaxWait() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeRunwayServer.Script()
        script.stuck = true
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake),
                                              inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testASafetyFailureIsRejectedContentWithRunwaysReason() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeRunwayServer.Script()
        script.failure = ("SAFETY.INPUT.IMAGE", "The input image did not pass our content moderation.")
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        try await assertPollFails(workflow(), with: provider(fake), inputs: ["image": .string(try media.jpeg())],
                                  kind: .rejectedContent, contains: "did not pass our content moderation. (SAFETY.INPUT.IMAGE)")
        XCTAssertEqual(fake.tasksCreated, 1, "a rejected job is not retried")

        fake.update { $0.failure = ("INTERNAL.BAD_OUTPUT.CODE01", "An unexpected error occurred.") }
        let runway = provider(fake)
        let id = try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let status = try await waitForJob(runway, id)
        XCTAssertEqual(status.state, .failed)
        XCTAssertEqual(status.errorKind, .providerFailed)
        XCTAssertEqual(status.errorMessage, "An unexpected error occurred. (INTERNAL.BAD_OUTPUT.CODE01)")
    }

    func testCancelStopsARunningTaskAndLeavesAFinishedOneAlone() async throws {
        var script = FakeRunwayServer.Script()
        script.pollsToFinish = 3
        let fake = try await FakeRunwayServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        XCTAssertTrue(runway.features.cancel)
        let id = try await runway.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        try await runway.cancel(id)
        XCTAssertEqual(fake.server.requests("DELETE", "/v1/tasks/\(id)").count, 1)
        let status = try await runway.status(of: id)
        XCTAssertEqual(status.state, .cancelled)

        let done = try await runway.submit(VideoRequest(prompt: "y"), idempotencyKey: "k2")
        _ = try await waitForJob(runway, done)
        try await runway.cancel(done)
        XCTAssertEqual(fake.server.requests("DELETE", "/v1/tasks/\(done)").count, 0, "DELETE would delete the finished output")
        let location = try await runway.resultLocation(of: done)
        XCTAssertTrue(location.url.contains("/files/\(done).mp4"))
        XCTAssertEqual(location.headers, [:])
    }

    func testARefusedKeyIsBenchedAndTheNextKeyUsed() async throws {
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let runway = provider(fake, keys: ["key_revoked", "key_good"])
        for index in 0..<3 { _ = try await runway.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        let keys = fake.createRequests.map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(keys, ["Bearer key_revoked", "Bearer key_good", "Bearer key_good", "Bearer key_good"])
        XCTAssertEqual(fake.tasksCreated, 3)
    }

    func testTestConnectionReadsTheOrganizationAndReportsABadKey() async throws {
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        try await provider(fake).testConnection()
        XCTAssertEqual(fake.server.requests("GET", "/v1/organization").count, 1)
        XCTAssertEqual(fake.tasksCreated, 0, "never a paid generation")
        await expectProviderError(.auth, contains: "Invalid API key", "expected an auth error") {
            try await provider(fake, keys: ["key_bad"]).testConnection()
        }
    }

    func testCapabilitiesDescribeEachModelTruthfully() {
        let runway = RunwayProvider(settings: ProviderSettings(apiKeys: ["k"]))
        XCTAssertEqual(runway.capabilities.models.count, 10)
        XCTAssertFalse(runway.capabilities.models.contains("veo3"), "veo3 was withdrawn")
        let veo = runway.capabilities(for: "veo3.1")
        XCTAssertEqual(veo.allowedSeconds, [4, 6, 8])
        XCTAssertEqual(veo.sizes, ["1280x720", "720x1280", "1080x1920", "1920x1080"])
        XCTAssertTrue(veo.lastFrame && veo.audio && veo.negativePrompt && veo.seed)
        let turbo = runway.capabilities(for: "gen4_turbo")
        XCTAssertFalse(turbo.textToVideo)
        XCTAssertFalse(turbo.lastFrame)
        XCTAssertEqual(runway.capabilities(for: "gen4.5").allowedSeconds, [2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertEqual(runway.capabilities(for: "seedance2").maxPromptLength, 3500)
        XCTAssertEqual(runway.capabilities(for: "seedance2").resolutions, ["480p", "720p", "1080p", "4k"])
        XCTAssertEqual(runway.capabilities(for: "happyhorse_1_0").resolutions, ["720p", "1080p"])
        XCTAssertEqual(runway.capabilities(for: "gen4.5").aspectRatios, ["16:9", "9:16", "4:3", "1:1", "3:4", "21:9"])
    }

    // MARK: Advanced fields

    func testSeedanceReferenceImagesArePositionLessPromptImageEntries() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let runway = provider(fake)
        let first = try media.jpeg("first.jpg")
        let one = try media.jpeg("one.jpg")
        let uri = "data:image/jpeg;base64," + (try Data(contentsOf: URL(fileURLWithPath: first)).base64EncodedString())
        _ = try await runway.submit(VideoRequest(model: "seedance2", prompt: "the cat from the photos", seconds: 5,
                                                 referenceImages: [one, one]), idempotencyKey: "k1")
        _ = try await runway.submit(VideoRequest(model: "seedance2_fast", prompt: "dawn", seconds: 5, image: first,
                                                 referenceImages: [one]), idempotencyKey: "k2")
        let creates = fake.server.requests("POST", "/v1/image_to_video")
        XCTAssertEqual(creates.count, 2, "references go to image_to_video even without a first frame")
        XCTAssertEqual(creates[0].json, ["model": "seedance2", "promptText": "the cat from the photos", "ratio": "1280:720",
                                         "duration": 5, "promptImage": [["uri": .string(uri)], ["uri": .string(uri)]]])
        XCTAssertEqual(creates[1].json?["promptImage"], [["uri": .string(uri), "position": "first"], ["uri": .string(uri)]])
        XCTAssertEqual(fake.tasksCreated, 2)

        let capabilities = runway.capabilities(for: "seedance2_mini")
        XCTAssertEqual(capabilities.maxReferenceImages, 9)
        for model in ["gen4.5", "veo3.1"] {
            let other = runway.capabilities(for: model)
            XCTAssertEqual(other.maxReferenceImages, 0)
            XCTAssertEqual(other.maxOutputs, 1, "one task, one video")
            XCTAssertFalse(other.remix)
            XCTAssertFalse(other.watermark)
        }
        XCTAssertFalse(capabilities.watermark)
        // The adapter refuses references for a model without them; the fake refuses position-less entries there too.
        let refused = await expectProviderError(.invalidInput, contains: "images:") {
            try await runway.submit(VideoRequest(model: "veo3.1", prompt: "p", referenceImages: [one]), idempotencyKey: "k3")
        }
        XCTAssertEqual(refused?.jobCertainlyNotCreated, true)
        XCTAssertEqual(FakeRunwayServer.checkPromptImage([["uri": .string(uri)]], model: "veo3.1"),
                       "Validation of body failed: promptImage.0.position: Required")
        XCTAssertNotNil(FakeRunwayServer.checkPromptImage(.array(Array(repeating: ["uri": .string(uri)], count: 10)),
                                                          model: "seedance2"))
        XCTAssertEqual(fake.tasksCreated, 2)
    }
}
