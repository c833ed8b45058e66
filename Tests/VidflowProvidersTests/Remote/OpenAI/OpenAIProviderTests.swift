import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The OpenAI adapter against a fake that speaks the Videos API: fields, auth, retries, reconciliation,
/// failures, cancel, key rotation, failover, and a whole workflow.
final class OpenAIProviderTests: XCTestCase {
    private func provider(_ fake: FakeOpenAIServer, keys: [String] = ["sk-test-good"], timeout: Int = 10) -> OpenAIProvider {
        OpenAIProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, requestTimeout: timeout))
    }

    private func workflow(provider: String = "openai", maxWait: Double = 30, attempts: Int = 3) -> String {
        providerWorkflow("openai-video", provider: provider, generate: [
            "model: sora-2", "prompt: a red kite over green hills", "seconds: 4", "aspect_ratio: \"16:9\"",
        ], maxWait: maxWait, attempts: attempts)
    }

    func testSubmitSendsTheSDKsMultipartFieldsWithBearerAuth() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake)
        let image = try media.jpeg()
        _ = try await openai.submit(VideoRequest(model: "sora-2-pro", prompt: "a fox", seconds: 8, aspectRatio: "16:9",
                                                 resolution: "1024p", image: image), idempotencyKey: "vf-r-g")
        _ = try await openai.submit(VideoRequest(prompt: "a cat", seconds: 12, size: "720x1280"), idempotencyKey: "vf-r-h")
        let creates = fake.server.requests("POST", "/v1/videos")
        XCTAssertEqual(creates.count, 2)
        XCTAssertEqual(creates[0].headers["authorization"], "Bearer sk-test-good")
        XCTAssertTrue(creates[0].headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        let fields = creates[0].multipartFields
        XCTAssertEqual(fields["prompt"], "a fox")
        XCTAssertEqual(fields["model"], "sora-2-pro")
        XCTAssertEqual(fields["seconds"], "8")
        XCTAssertEqual(fields["size"], "1792x1024")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: image)[.size] as? NSNumber).intValue
        XCTAssertEqual(fields["input_reference"], "file:image.jpg:\(size)")
        XCTAssertEqual(creates[1].multipartFields, ["prompt": "a cat", "model": "sora-2", "seconds": "12", "size": "720x1280"])
        let wire = try openai.wireRequest(for: VideoRequest(prompt: "a cat", image: image), idempotencyKey: "k")
        XCTAssertFalse(wire.canonicalJSON.contains("sk-test"), "no secret in the recorded request")
    }

    func testWholeWorkflowGeneratesPollsDownloadsWithTheKeyAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeOpenAIServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.jobsCreated, 1)
        let download = try XCTUnwrap(fake.server.requests.first { $0.path.hasSuffix("/content") })
        XCTAssertEqual(download.headers["authorization"], "Bearer sk-test-good", "downloads need the key")
        XCTAssertEqual(download.query["variant"], "video")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        XCTAssertEqual(job?.request["provider_request"]?["size"], "1280x720", "the provider request is recorded")
        XCTAssertEqual(job?.request["provider_request"]?["seconds"], "4")
    }

    func testRateLimitedCreateWaitsForRetryAfterThenSucceeds() async throws {
        var script = FakeOpenAIServer.Script()
        script.createFailures = [.json(["error": ["message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"]],
                                       status: 429, headers: [("retry-after", "1")])]
        let fake = try await FakeOpenAIServer.start(clip: Data(), script: script)
        let started = Date()
        let id = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.server.requests("POST", "/v1/videos").count, 2)
        XCTAssertEqual(fake.jobsCreated, 1)
        XCTAssertNotNil(fake.videos[id])
    }

    func testServerErrorOnStatusIsRetriedThenSucceeds() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake)
        let id = try await openai.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        fake.update { $0.statusFailures = [.json(["error": ["message": "The server had an error", "type": "server_error"]], status: 500)] }
        let status = try await openai.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(status.pollAfterMs, 20, "openai-poll-after-ms honoured")
        XCTAssertEqual(fake.server.requests("GET", "/v1/videos/\(id)").count, 2)
    }

    func testACreateWhoseAnswerTimedOutIsReconciledWithoutASecondJob() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeOpenAIServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeOpenAIServer.start(clip: try media.clipData(), script: script)
        let world = try ProvidersWorld(extraProviders: [provider(fake, timeout: 1)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.jobsCreated, 1, "the lost answer is reconciled, not paid again")
        XCTAssertEqual(fake.server.requests("POST", "/v1/videos").count, 1)
        let logs = try await world.store.events(runID: run.id, after: 0, limit: 500).compactMap { $0.data["message"]?.stringValue }
        XCTAssertTrue(logs.contains { $0.contains("reconciled earlier submit") }, "\(logs)")
    }

    func testMalformedStatusBodyIsATransientError() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake)
        let id = try await openai.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        fake.update { $0.statusFailures = [.text("<html>bad gateway</html>", status: 200, contentType: "text/html")] }
        await expectProviderError(.transient, contains: "not JSON") { try await openai.status(of: id) }
    }

    func testAJobStuckInProgressTimesOutAtMaxWait() async throws {
        try requireFFmpegOrSkip()
        var script = FakeOpenAIServer.Script()
        script.stuck = true
        let fake = try await FakeOpenAIServer.start(clip: Data(), script: script)
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake))
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testAFailedVideoSurfacesOpenAIsReason() async throws {
        var script = FakeOpenAIServer.Script()
        script.failure = ("moderation_blocked", "Your request was blocked by our moderation system.")
        let fake = try await FakeOpenAIServer.start(clip: Data(), script: script)
        try await assertPollFails(workflow(), with: provider(fake),
                                  kind: .rejectedContent, contains: "blocked by our moderation system")
    }

    func testCancelDeletesTheVideo() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake)
        let id = try await openai.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        try await openai.cancel(id)
        XCTAssertEqual(fake.videos[id]?.deleted, true)
        XCTAssertEqual(fake.server.requests("DELETE", "/v1/videos/\(id)").count, 1)
    }

    func testARefusedKeyIsBenchedAndTheNextKeyUsed() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake, keys: ["sk-test-revoked", "sk-test-good"])
        for index in 0..<3 { _ = try await openai.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        let keys = fake.server.requests("POST", "/v1/videos").map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(keys, ["Bearer sk-test-revoked", "Bearer sk-test-good", "Bearer sk-test-good", "Bearer sk-test-good"])
        XCTAssertEqual(fake.jobsCreated, 3)
    }

    func testValidationNamesTheFieldAndAllowedValuesUnlessNearestIsAsked() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let strict = try world.definition(workflow().replacingOccurrences(of: "seconds: 4", with: "seconds: 10"))
        let run = try await world.run(strict)
        XCTAssertEqual(run.status, .failed)
        let error = try await world.stages(run.id)["generate"]?.error
        XCTAssertEqual(error?.kind, .invalidInput)
        XCTAssertTrue(error?.message.contains("seconds: 10") == true && error?.message.contains("4, 8, 12") == true,
                      "\(String(describing: error))")
        XCTAssertEqual(fake.server.requests("POST", "/v1/videos").count, 0, "nothing paid for")

        let nearest = try world.definition(workflow().replacingOccurrences(
            of: "seconds: 4", with: "seconds: 10\n      on_unsupported: nearest"))
        _ = try await world.run(nearest)
        XCTAssertEqual(fake.server.requests("POST", "/v1/videos").first?.multipartFields["seconds"], "8")
    }

    func testFailoverMovesToTheNextProviderWhenAKeyIsRefused() async throws {
        try requireFFmpegOrSkip()
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let world = try ProvidersWorld(extraProviders: [provider(fake, keys: ["sk-test-revoked"])])
        defer { world.cleanUp() }
        let definition = try world.definition(workflow(provider: "[openai, local]"))
        let run = try await world.run(definition)
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let generate = try await world.stages(run.id)["generate"]
        XCTAssertEqual(generate?.output?["provider"], "local")
        XCTAssertEqual(generate?.output?["failover"]?.arrayValue?.first?["provider"], "openai")
        XCTAssertEqual(generate?.output?["failover"]?.arrayValue?.first?["code"], "auth")
        XCTAssertEqual(fake.jobsCreated, 0)
    }

    func testARemixPostsThePromptToTheEarlierVideosRemixEndpoint() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let openai = provider(fake)
        let first = try await openai.submit(VideoRequest(prompt: "a fox", seconds: 8), idempotencyKey: "k1")
        for _ in 0..<2 { _ = try await openai.status(of: first) }
        let request = VideoRequest(prompt: "the same fox, at night", remixOf: first)
        let (checked, _) = try request.adapted(to: openai.capabilities, provider: "openai", onUnsupported: .error)
        let remix = try await openai.submit(checked, idempotencyKey: "k2")
        let posts = fake.server.requests("POST", "/v1/videos/\(first)/remix")
        XCTAssertEqual(posts.count, 1)
        XCTAssertEqual(posts.first?.json, ["prompt": "the same fox, at night"])
        XCTAssertEqual(posts.first?.headers["authorization"], "Bearer sk-test-good")
        XCTAssertEqual(fake.videos[remix]?.remixedFrom, first)
        XCTAssertEqual(try openai.wireRequest(for: checked, idempotencyKey: "k2"),
                       ["remix_of": .string(first), "prompt": "the same fox, at night"])
        let found = try await openai.lookup(idempotencyKey: "k2", request: checked)
        XCTAssertEqual(found, remix, "a lost remix answer is found by its source and prompt")
    }

    func testAdvancedFieldsOpenAICannotHonourAreRefusedByName() throws {
        let openai = OpenAIProvider(settings: ProviderSettings(apiKeys: ["k"]))
        // One video per job: num_outputs up to the fan-out bound is honoured with one job per video.
        for (request, field) in [(VideoRequest(prompt: "x", numOutputs: 9), "num_outputs"),
                                 (VideoRequest(prompt: "x", referenceImages: ["/tmp/a.png"]), "images"),
                                 (VideoRequest(prompt: "x", watermark: true), "watermark"),
                                 (VideoRequest(prompt: "x", style: "anime"), "style")] {
            XCTAssertThrowsError(try request.adapted(to: openai.capabilities, provider: "openai", onUnsupported: .error)) { error in
                XCTAssertTrue("\(error)".contains(field), "\(error)")
            }
        }
        let (snapped, warnings) = try VideoRequest(prompt: "x", numOutputs: 9, watermark: false)
            .adapted(to: openai.capabilities, provider: "openai", onUnsupported: .nearest)
        XCTAssertEqual(snapped.numOutputs, 8)
        XCTAssertEqual(snapped.watermark, false, "asking for no watermark needs no support")
        XCTAssertEqual(warnings.count, 1)
    }

    func testTheCatalogBuildsEveryAdapterFromTheEnvironmentWithItsKeysBaseURLAndLimits() async throws {
        let fake = try await FakeOpenAIServer.start(clip: Data())
        let environment = ["OPENAI_API_KEY": "sk-test-revoked, sk-test-good", "VIDFLOW_OPENAI_BASE_URL": fake.baseURL,
                           "VIDFLOW_OPENAI_CONCURRENCY": "2", "VIDFLOW_OPENAI_RPM": "600"]
        let registry = ProviderCatalog.registry(dataDirectory: NSTemporaryDirectory() + "vidflow-catalog", environment: environment)
        XCTAssertEqual(Set(registry.names), ["local", "openai", "google", "vertex", "runway", "kling", "seedance", "fal",
                                             "replicate", "dashscope", "yunwu"])
        XCTAssertEqual(registry.poolLimits, ["provider:openai": 2])
        let openai = try XCTUnwrap(registry.provider("openai"))
        XCTAssertEqual(openai.keyPool?.keys, ["sk-test-revoked", "sk-test-good"])
        let id = try await openai.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertNotNil(fake.videos[id], "the base URL from the environment was used")
        openai.keyPool?.replace(["sk-test-good"])
        _ = try await openai.status(of: id)
        XCTAssertEqual(fake.server.requests.last?.headers["authorization"], "Bearer sk-test-good", "a key change applies at once")
        let keyless = try XCTUnwrap(registry.provider("runway"))
        do {
            _ = try await keyless.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
            XCTFail("a provider without a key must not submit")
        } catch let error as ProviderError {
            XCTAssertEqual(error.kind, .auth)
            XCTAssertTrue(error.jobCertainlyNotCreated, "nothing was sent, so failover may move on")
        }
    }
}
