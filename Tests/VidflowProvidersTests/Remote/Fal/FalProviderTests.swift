import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The fal adapter against a fake fal queue serving Pika v2.2: fields, auth, retries, a lost submit answer,
/// failures, cancel, key rotation, signed webhooks, and a whole workflow.
final class FalProviderTests: XCTestCase {
    private func provider(_ fake: FakeFalServer, keys: [String] = ["fal-key-good"], timeout: Int = 10,
                          callbackURL: String? = nil) -> FalProvider {
        FalProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, callbackURL: callbackURL,
                                               options: ["jwks_url": fake.jwksURL], requestTimeout: timeout))
    }

    private func workflow(maxWait: Double = 30, image: String? = nil, attempts: Int = 3) -> String {
        providerWorkflow("fal-video", provider: "fal", generate: [
            "prompt: a paper boat drifting down a rainy street", "seconds: 5", "aspect_ratio: \"16:9\"", "resolution: 720p",
            "seed: 7",
        ], image: image, maxWait: maxWait, attempts: attempts)
    }

    func testTextToVideoSendsPikaFieldsWithKeyAuth() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "a fox", seconds: 10, aspectRatio: "9:16", resolution: "1080p",
                                                   negativePrompt: "blurry", seed: 42, extraBody: ["pikaffect": "Melt"]),
                                      idempotencyKey: "vf-r-g")
        let create = try XCTUnwrap(fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").first)
        XCTAssertEqual(create.headers["authorization"], "Key fal-key-good")
        XCTAssertEqual(create.headers["content-type"], "application/json")
        XCTAssertEqual(create.json, ["prompt": "a fox", "duration": 10, "aspect_ratio": "9:16", "resolution": "1080p",
                                     "negative_prompt": "blurry", "seed": 42, "pikaffect": "Melt"])
        XCTAssertEqual(create.query, [:], "no webhook without a callback URL")
        let requestID = try XCTUnwrap(fake.jobs.keys.first)
        XCTAssertEqual(id, "fal-ai/pika/requests/\(requestID)", "job ids carry the app id the queue paths use")
    }

    func testImageToVideoGoesToPikasImageEndpointWithADataURI() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let image = try media.jpeg()
        let request = VideoRequest(prompt: "the lake ripples", seconds: 5, aspectRatio: "16:9", resolution: "720p", image: image)
        _ = try await fal.submit(request, idempotencyKey: "vf-r-g")
        let create = try XCTUnwrap(fake.server.requests("POST", "/fal-ai/pika/v2.2/image-to-video").first)
        let body = try XCTUnwrap(create.json?.objectValue)
        XCTAssertEqual(Set(body.keys), ["prompt", "duration", "resolution", "image_url"], "the aspect ratio follows the image")
        XCTAssertEqual(body["duration"], 5)
        let uri = try XCTUnwrap(body["image_url"]?.stringValue)
        XCTAssertTrue(uri.hasPrefix("data:image/jpeg;base64,"))
        XCTAssertEqual(Data(base64Encoded: String(uri.dropFirst("data:image/jpeg;base64,".count))),
                       FileManager.default.contents(atPath: image))
        let wire = WireRedaction.redact(try fal.wireRequest(for: request, idempotencyKey: "k"))
        XCTAssertFalse(wire.canonicalJSON.contains(String(uri.suffix(40))), "image bytes are not recorded")
        XCTAssertFalse(wire.canonicalJSON.contains("fal-key"), "no secret in the recorded request")
        XCTAssertEqual(fal.capabilities(for: "fal-ai/pika/v2.2/image-to-video").textToVideo, false)
        XCTAssertTrue(fal.capabilities.anyModel)
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeFalServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow(image: try media.jpeg())))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.jobsCreated, 1)
        let requestID = try XCTUnwrap(fake.jobs.keys.first)
        XCTAssertGreaterThanOrEqual(fake.server.requests("GET", "/fal-ai/pika/requests/\(requestID)/status").count, 2)
        XCTAssertEqual(fake.server.requests("GET", "/fal-ai/pika/requests/\(requestID)/status").first?.query["logs"], "false")
        XCTAssertEqual(fake.server.requests("GET", "/files/pika-output.mp4").count, 1)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["generate"]?.output?["job_id"]?.stringValue, "fal-ai/pika/requests/\(requestID)")
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertNotNil(stages["transcode"]?.output?["file"])
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        XCTAssertEqual(job?.request["provider_request"]?["duration"], 5, "the provider request is recorded")
        XCTAssertEqual(job?.request["provider_request"]?["seed"], 7)
    }

    func testRateLimitedSubmitWaitsForRetryAfterThenSucceeds() async throws {
        var script = FakeFalServer.Script()
        script.createFailures = [.json(["detail": "Too many requests"], status: 429, headers: [("retry-after", "1")])]
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        let started = Date()
        _ = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").count, 2)
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testServerErrorOnSubmitAndStatusIsRetriedThenSucceeds() async throws {
        var script = FakeFalServer.Script()
        script.createFailures = [.json(["detail": "Internal Server Error"], status: 500)]
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.jobsCreated, 1, "a 500 created nothing, so the submit was repeated once")
        fake.update { $0.statusFailures = [.json(["detail": "Bad Gateway"], status: 502)] }
        let status = try await fal.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(fake.server.requests.filter { $0.path.hasSuffix("/status") }.count, 2)
    }

    func testASubmitWhoseAnswerTimedOutIsNotSubmittedAgain() async throws {
        try requireFFmpegOrSkip()
        var script = FakeFalServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        try await assertGenerateFails(workflow(), with: provider(fake, timeout: 1), contains: "no way to find a job")
        XCTAssertEqual(fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").count, 1, "never paid twice")
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testMalformedStatusBodyIsATransientError() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        fake.update { $0.statusFailures = [.text("<html>upstream error</html>", status: 200, contentType: "text/html")] }
        await expectProviderError(.transient, contains: "not JSON") { try await fal.status(of: id) }
    }

    func testAJobStuckInProgressTimesOutAtMaxWait() async throws {
        try requireFFmpegOrSkip()
        var script = FakeFalServer.Script()
        script.stuck = true
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake))
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testAContentPolicyFailureSurfacesFalsReason() async throws {
        try requireFFmpegOrSkip()
        var script = FakeFalServer.Script()
        script.failure = ("The prompt was flagged by the content checker", "content_policy_violation")
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        try await assertPollFails(workflow(), with: provider(fake),
                                  kind: .rejectedContent, contains: "flagged by the content checker")
    }

    func testAFailureShownOnlyByTheResultRequestIsReadFromIt() async throws {
        var script = FakeFalServer.Script()
        script.failure = ("Input image is too small", "image_too_small")
        script.failureOnlyInResult = true
        script.pollsToFinish = 1
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let status = try await fal.status(of: id)
        XCTAssertEqual(status.state, .failed)
        XCTAssertEqual(status.errorKind, .providerFailed)
        XCTAssertTrue(status.errorMessage?.contains("Input image is too small (image_too_small)") == true, "\(status)")
    }

    func testCancelStopsTheRequestAndTheJobReadsCancelled() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let requestID = try XCTUnwrap(fake.jobs.keys.first)
        try await fal.cancel(id)
        XCTAssertEqual(fake.server.requests("PUT", "/fal-ai/pika/requests/\(requestID)/cancel").count, 1)
        XCTAssertEqual(fake.jobs[requestID]?.cancelled, true)
        let status = try await fal.status(of: id)
        XCTAssertEqual(status.state, .cancelled)
        try await fal.cancel(id)  // ALREADY_COMPLETED: left alone, no error
    }

    func testARefusedKeyIsBenchedAndTheNextKeyUsed() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake, keys: ["fal-key-revoked", "fal-key-good"])
        for index in 0..<3 { _ = try await fal.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        let keys = fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(keys, ["Key fal-key-revoked", "Key fal-key-good", "Key fal-key-good", "Key fal-key-good"])
        XCTAssertEqual(fake.jobsCreated, 3)
    }

    func testAKeyOfFalsRealShapeIsSentWholeNotSplitAtTheColon() async throws {
        let realShape = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:0f9e8d7c6b5a49382716a5b4c3d2e1f0"
        let fake = try await FakeFalServer.start(clip: Data(), script: .init(validKeys: [realShape]))
        let settings = ProviderSettings.resolve(provider: "fal", environment: ["FAL_KEY": realShape,
                                                                              "VIDFLOW_FAL_BASE_URL": fake.baseURL])
        XCTAssertEqual(settings.apiKeys, [realShape])
        XCTAssertEqual(settings.secretKeys, [], "fal keys are not access/secret pairs")
        let stored = ProviderSettings.resolve(provider: "fal", environment: [:], stored: ["api_key": realShape])
        XCTAssertEqual(stored.apiKeys, [realShape], "a key saved through /v1/config is kept whole too")
        _ = try await FalProvider(settings: settings).submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        let create = try XCTUnwrap(fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").first)
        XCTAssertEqual(create.headers["authorization"], "Key " + realShape)
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testTestConnectionTreatsAnUnknownRequestAsProofTheKeyWorks() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        try await provider(fake).testConnection()
        await expectProviderError(.auth, "expected an auth error") {
            try await provider(fake, keys: ["fal-key-revoked"]).testConnection()
        }
        XCTAssertEqual(fake.jobsCreated, 0, "nothing paid for")
    }

    // MARK: - Advanced fields

    func testReferenceImagesGoToPikaScenesAsImageURLObjects() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let one = try media.jpeg("one.jpg"), two = try media.jpeg("two.jpg")
        func uri(_ path: String) -> JSONValue {
            .string("data:image/jpeg;base64," + (FileManager.default.contents(atPath: path)?.base64EncodedString() ?? ""))
        }
        let request = VideoRequest(prompt: "the cat and the hat at the beach", seconds: 10, aspectRatio: "9:16",
                                   resolution: "720p", seed: 3, referenceImages: [one, two],
                                   extraBody: ["ingredients_mode": "precise"])
        let id = try await fal.submit(request, idempotencyKey: "k")
        let create = try XCTUnwrap(fake.server.requests("POST", "/fal-ai/pika/v2.2/pikascenes").first)
        XCTAssertEqual(create.headers["authorization"], "Key fal-key-good")
        XCTAssertEqual(create.json, [
            "prompt": "the cat and the hat at the beach", "duration": 10, "aspect_ratio": "9:16", "resolution": "720p",
            "seed": 3, "images": [["image_url": uri(one)], ["image_url": uri(two)]], "ingredients_mode": "precise",
        ], "the default endpoint routes reference images to Pika Scenes")
        XCTAssertEqual(try fal.wireRequest(for: request, idempotencyKey: "k"), create.json, "one body builder")
        XCTAssertTrue(id.hasPrefix("fal-ai/pika/requests/"))
        let status = try await waitForJob(fal, id, timeout: 10)
        XCTAssertEqual(status.state, .succeeded)

        // Naming the endpoint works as well.
        _ = try await fal.submit(VideoRequest(model: "fal-ai/pika/v2.2/pikascenes", prompt: "x", referenceImages: [one]),
                                 idempotencyKey: "k2")
        XCTAssertEqual(fake.server.requests("POST", "/fal-ai/pika/v2.2/pikascenes").count, 2)
        XCTAssertEqual(fake.jobs.count, 2)
    }

    func testReferenceImagesAreRefusedWherePikaScenesCannotTakeThem() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        let image = try media.jpeg()
        for request in [VideoRequest(prompt: "x", image: image, referenceImages: [image]),
                        VideoRequest(model: "fal-ai/pika/v2.2/pikascenes", prompt: "x"),
                        VideoRequest(model: "fal-ai/kling-video/v2/master/text-to-video", prompt: "x", referenceImages: [image])] {
            let error = await expectProviderError(.invalidInput) { try await fal.submit(request, idempotencyKey: "k") }
            XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        }
        XCTAssertTrue(fake.jobs.isEmpty, "nothing was sent")

        let entry: JSONValue = ["image_url": "https://example.com/r.png"]
        XCTAssertNil(FakeFalServer.scenesProblem(["images": .array(Array(repeating: entry, count: 5))]))
        XCTAssertEqual(FakeFalServer.scenesProblem(["images": .array(Array(repeating: entry, count: 6))])?.type, "too_long")
        XCTAssertEqual(FakeFalServer.scenesProblem(["prompt": "x"])?.type, "missing")
        XCTAssertEqual(FakeFalServer.scenesProblem(["images": ["https://example.com/r.png"]])?.type, "missing")

        XCTAssertEqual(fal.capabilities.maxReferenceImages, 5)
        XCTAssertEqual(fal.capabilities(for: "fal-ai/pika/v2.2/pikascenes").textToVideo, false)
        XCTAssertEqual(fal.capabilities(for: "fal-ai/pika/v2.2/image-to-video").maxReferenceImages, 0)
        XCTAssertEqual(fal.capabilities(for: "fal-ai/some/other-model").maxReferenceImages, 0)
        XCTAssertFalse(fal.capabilities.watermark)
        XCTAssertEqual(fal.capabilities.maxOutputs, 1)
        XCTAssertFalse(fal.capabilities.remix)
        XCTAssertThrowsError(try VideoRequest(prompt: "x", referenceImages: Array(repeating: image, count: 6))
            .adapted(to: fal.capabilities, provider: "fal", onUnsupported: .error))
    }
}
