import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The Seedance (Ark) adapter against a fake that speaks Ark's content-generation task API: body fields,
/// auth, retries, lost answers, failures, cancel, key rotation, callbacks, and a whole workflow.
final class SeedanceProviderTests: XCTestCase {
    private func provider(_ fake: FakeSeedanceServer, keys: [String] = ["ark-test-good"], timeout: Int = 10,
                          callbackURL: String? = nil, secret: String? = nil) -> SeedanceProvider {
        SeedanceProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, callbackURL: callbackURL,
                                                    webhookSecret: secret, requestTimeout: timeout),
                         pollAfterMs: 20)
    }

    private func workflow(maxWait: Double = 30, attempts: Int = 3, image: String? = nil) -> String {
        providerWorkflow("seedance-video", provider: "seedance", generate: [
            "model: seedance-1-0-pro-250528", "prompt: a paper boat drifting down a rainy street", "seconds: 5",
            "aspect_ratio: \"16:9\"", "resolution: 720p", "seed: 11",
        ], image: image, maxWait: maxWait, attempts: attempts)
    }

    func testTextToVideoSendsArkStructuredFieldsWithBearerAuth() async throws {
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = provider(fake)
        let request = VideoRequest(model: "seedance-1-5-pro-251215", prompt: "a fox in snow", seconds: 6, aspectRatio: "9:16",
                                   resolution: "720p", seed: 42, generateAudio: false, extraBody: ["camera_fixed": true])
        let id = try await seedance.submit(request, idempotencyKey: "vf-r-g")
        XCTAssertTrue(id.hasPrefix("cgt-"))
        let create = try XCTUnwrap(fake.creates.first)
        XCTAssertEqual(create.headers["authorization"], "Bearer ark-test-good")
        XCTAssertEqual(create.headers["content-type"], "application/json")
        XCTAssertEqual(create.json, [
            "model": "seedance-1-5-pro-251215", "content": [["type": "text", "text": "a fox in snow"]],
            "ratio": "9:16", "resolution": "720p", "duration": 6, "seed": 42, "generate_audio": false, "camera_fixed": true,
        ])
        XCTAssertEqual(try seedance.wireRequest(for: request, idempotencyKey: "vf-r-g"), create.json, "one body builder")

        // An exact size becomes Ark's resolution + ratio; a model without audio gets no generate_audio.
        _ = try await seedance.submit(VideoRequest(prompt: "waves", size: "1920x1080", generateAudio: false), idempotencyKey: "k2")
        let second = try XCTUnwrap(fake.creates.last?.json)
        XCTAssertEqual(second["model"], "seedance-1-0-pro-250528", "the BytePlus default model")
        XCTAssertEqual(second["resolution"], "1080p")
        XCTAssertEqual(second["ratio"], "16:9")
        XCTAssertNil(second["generate_audio"])
        XCTAssertNil(second["duration"])
    }

    func testImageToVideoSendsFirstAndLastFramesAsDataURLsWithRoles() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let first = try media.jpeg("first.jpg"), last = try media.jpeg("last.jpg")
        let seedance = provider(fake, callbackURL: "https://vidflow.example/v1/callbacks/seedance?token=t0k")
        _ = try await seedance.submit(VideoRequest(model: "seedance-1-0-lite-i2v-250428", prompt: "", seconds: 5,
                                                   image: first, lastFrame: last), idempotencyKey: "k")
        let body = try XCTUnwrap(fake.creates.first?.json)
        let content = try XCTUnwrap(body["content"]?.arrayValue)
        XCTAssertEqual(content.count, 2, "no text item for an empty prompt")
        XCTAssertEqual(content.map { $0["type"] }, ["image_url", "image_url"])
        XCTAssertEqual(content.map { $0["role"] }, ["first_frame", "last_frame"])
        let url = try XCTUnwrap(content[0]["image_url"]?["url"]?.stringValue)
        XCTAssertTrue(url.hasPrefix("data:image/jpeg;base64,"))
        XCTAssertEqual(Data(base64Encoded: String(url.dropFirst("data:image/jpeg;base64,".count))),
                       try Data(contentsOf: URL(fileURLWithPath: first)))
        XCTAssertEqual(body["callback_url"], "https://vidflow.example/v1/callbacks/seedance?token=t0k")
        XCTAssertEqual(body["duration"], 5)
        let wire = WireRedaction.redact(try seedance.wireRequest(for: VideoRequest(prompt: "x", image: first), idempotencyKey: "k"))
        XCTAssertFalse(wire.canonicalJSON.contains(String(url.dropFirst(30).prefix(40))), "inline bytes are not recorded")
    }

    func testCapabilitiesDescribeEachModel() {
        let seedance = SeedanceProvider(settings: ProviderSettings(apiKeys: ["k"]))
        XCTAssertEqual(seedance.capabilities.models.first, "seedance-1-0-pro-250528")
        XCTAssertTrue(seedance.capabilities.models.contains("doubao-seedance-1-5-pro-251215"))
        XCTAssertFalse(seedance.capabilities(for: "seedance-1-0-lite-t2v-250428").imageInput)
        XCTAssertFalse(seedance.capabilities(for: "seedance-1-0-lite-i2v-250428").textToVideo)
        XCTAssertTrue(seedance.capabilities(for: "dreamina-seedance-2-0-260128").audio)
        XCTAssertEqual(seedance.capabilities(for: "dreamina-seedance-2-0-260128").secondsRange, 4...15)
        XCTAssertEqual(seedance.capabilities(for: "seedance-1-0-pro-fast-251015").lastFrame, false)
        XCTAssertTrue(seedance.capabilities.sizes.contains("1280x720"))
        XCTAssertFalse(seedance.capabilities.negativePrompt)
        XCTAssertEqual(seedance.capabilities(for: "ep-20261124-abc").models, ["ep-20261124-abc"], "endpoint ids are accepted")
        XCTAssertFalse(seedance.capabilities(for: "seedance-9").models.contains("seedance-9"), "unknown ids are not")
        let beijing = SeedanceProvider(settings: ProviderSettings(apiKeys: ["k"], options: ["region": "cn-beijing"]))
        XCTAssertEqual(beijing.capabilities.models.first, "doubao-seedance-1-0-pro-250528")
        XCTAssertEqual(seedance.features, ProviderFeatures(cancel: true, callbacks: true, reconcile: false))
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeSeedanceServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow(image: try media.jpeg())))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.tasksCreated, 1)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["poll"]?.output?["cost"]?["total_tokens"], 19845)
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        let recorded = try XCTUnwrap(job?.request["provider_request"])
        XCTAssertEqual(recorded["resolution"], "720p")
        XCTAssertEqual(recorded["content"]?.arrayValue?.last?["role"], "first_frame")
        XCTAssertTrue(recorded["content"]?.arrayValue?.last?["image_url"]?["url"]?.stringValue?.contains("base64 chars") == true,
                      "the image bytes are redacted in the record")
        XCTAssertTrue(fake.server.requests.contains { $0.path.hasPrefix("/tos/") }, "the video came from the task's video_url")
    }

    func testRateLimitedCreateWaitsForRetryAfterThenSucceeds() async throws {
        var script = FakeSeedanceServer.Script()
        script.createFailures = [.json(["error": ["code": "RateLimitExceeded.EndpointRPMExceeded", "type": "TooManyRequests",
                                                  "message": "The Requests Per Minute (RPM) limit has been exceeded."]],
                                       status: 429, headers: [("Retry-After", "1")])]
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        let started = Date()
        let id = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.tasksCreated, 1)
        XCTAssertNotNil(fake.tasks[id])
    }

    func testServerErrorsAreRetriedThenSucceed() async throws {
        var script = FakeSeedanceServer.Script()
        script.createFailures = [.json(["error": ["code": "InternalServiceError", "type": "InternalServerError",
                                                  "message": "The service encountered an unexpected internal error."]], status: 500)]
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        let seedance = provider(fake)
        let id = try await seedance.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.count, 2, "a 500 answer created nothing, so the create is repeated")
        XCTAssertEqual(fake.tasksCreated, 1)
        fake.update { $0.statusFailures = [.text("upstream unavailable", status: 503)] }
        let status = try await seedance.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(status.pollAfterMs, 20)
    }

    func testACreateWhoseAnswerTimedOutIsNeverSubmittedTwice() async throws {
        try requireFFmpegOrSkip()
        var script = FakeSeedanceServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        try await assertGenerateFails(workflow(), with: provider(fake, timeout: 1),
                                      kind: .providerFailed, contains: "client reference",
                                      "Ark has no client reference: the lost submit cannot be reconciled")
        XCTAssertEqual(fake.creates.count, 1, "the create whose answer was lost is not repeated")
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testMalformedJSONIsATransientErrorAndACreateIsNotRepeated() async throws {
        var script = FakeSeedanceServer.Script()
        script.createFailures = [.text("<html>502 Bad Gateway</html>", status: 200, contentType: "text/html")]
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        let seedance = provider(fake)
        let error = await expectProviderError(.transient, contains: "not JSON") {
            try await seedance.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false, "a 2xx answer may have created a task")
        XCTAssertEqual(fake.creates.count, 1)
        fake.update { $0.statusFailures = [.text("{\"id\": \"cgt-", status: 200, contentType: "application/json")] }
        await expectProviderError(.transient) { try await seedance.status(of: "cgt-1") }
    }

    func testATaskStuckRunningTimesOutAtMaxWait() async throws {
        try requireFFmpegOrSkip()
        var script = FakeSeedanceServer.Script()
        script.stuck = true
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake))
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testAFailedTaskSurfacesArksReason() async throws {
        try requireFFmpegOrSkip()
        var script = FakeSeedanceServer.Script()
        script.failure = ("OutputVideoSensitiveContentDetected", "The request failed because the output video may contain sensitive information.")
        let fake = try await FakeSeedanceServer.start(clip: Data(), script: script)
        try await assertPollFails(workflow(), with: provider(fake), kind: .rejectedContent,
                                  contains: "output video may contain sensitive information")

        fake.update { $0.failure = ("InternalServiceError", "generation crashed") }
        let id = try await provider(fake).submit(VideoRequest(prompt: "y"), idempotencyKey: "k")
        let status = try await waitForJob(provider(fake), id, timeout: 10)
        XCTAssertEqual(status.errorKind, .providerFailed)
        XCTAssertEqual(status.errorMessage, "generation crashed (code InternalServiceError)")
    }

    func testCancelDeletesAQueuedTaskOnlyAndLeavesFinishedOnesAlone() async throws {
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = provider(fake)
        let queued = try await seedance.submit(VideoRequest(prompt: "x"), idempotencyKey: "k1")
        try await seedance.cancel(queued)
        XCTAssertEqual(fake.server.requests("DELETE", "/api/v3/contents/generations/tasks/\(queued)").count, 1)
        let after = try await seedance.status(of: queued)
        XCTAssertEqual(after.state, .cancelled)

        let finished = try await seedance.submit(VideoRequest(prompt: "y"), idempotencyKey: "k2")
        _ = try await waitForJob(seedance, finished, timeout: 10)
        try await seedance.cancel(finished)
        XCTAssertTrue(fake.server.requests("DELETE", "/api/v3/contents/generations/tasks/\(finished)").isEmpty,
                      "a DELETE would erase the finished task's record")

        fake.update { $0.queuedPolls = 0; $0.stuck = true }
        let running = try await seedance.submit(VideoRequest(prompt: "z"), idempotencyKey: "k3")
        await expectProviderError(contains: "queued tasks only", "Ark cannot cancel a running task") {
            try await seedance.cancel(running)
        }
    }

    func testARefusedKeyIsBenchedAndTheNextKeyUsed() async throws {
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = provider(fake, keys: ["ark-test-revoked", "ark-test-good"])
        for index in 0..<3 { _ = try await seedance.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        let keys = fake.creates.map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(keys, ["Bearer ark-test-revoked", "Bearer ark-test-good", "Bearer ark-test-good", "Bearer ark-test-good"])
        XCTAssertEqual(fake.tasksCreated, 3)
    }

    func testACallbackBeforeTheFirstPollCompletesThePoll() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = provider(fake, callbackURL: "http://127.0.0.1:1/v1/callbacks/seedance?token=s3cret", secret: "s3cret")
        let id = try await seedance.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        fake.setStatus(id, "succeeded")
        let body = Data(try XCTUnwrap(fake.object(id)).canonicalJSON.utf8)
        let update = try XCTUnwrap(try seedance.callback(ProviderCallbackDelivery(
            headers: ["content-type": "application/json"], query: ["token": "s3cret"], body: body)))
        XCTAssertEqual(update.jobID, id)
        XCTAssertEqual(update.status.state, .succeeded)

        let hub = ProviderCallbackHub()
        hub.deliver(provider: "seedance", update)
        let context = try DirectContext(parameters: ["job_id": .string(id), "provider": "seedance", "max_wait": 5,
                                                     "interval": 0.05, "max_interval": 0.2],
                                        directory: media.directory + "/data")
        let result = try await VideoPollStage(providers: ProviderRegistry([seedance], callbacks: hub)).run(context)
        XCTAssertEqual(result.outputs["url"]?.stringValue?.contains("/tos/\(id).mp4") ?? false, true)
        XCTAssertTrue(fake.server.requests("GET", "/api/v3/contents/generations/tasks/\(id)").isEmpty, "no poll was needed")

        for query in [["token": "wrong"], [:]] {
            XCTAssertThrowsError(try seedance.callback(ProviderCallbackDelivery(headers: [:], query: query, body: body))) { error in
                XCTAssertEqual((error as? ProviderError)?.kind, .auth)
            }
        }
    }

    func testConnectionListsOneTask() async throws {
        let fake = try await FakeSeedanceServer.start(clip: Data())
        try await provider(fake).testConnection()
        let list = try XCTUnwrap(fake.server.requests("GET", "/api/v3/contents/generations/tasks").first)
        XCTAssertEqual(list.query, ["page_num": "1", "page_size": "1"])
        await expectProviderError(.auth, contains: "AuthenticationError", "a refused key must fail the test") {
            try await provider(fake, keys: ["ark-test-revoked"]).testConnection()
        }
        XCTAssertTrue(fake.creates.isEmpty, "never a paid generation")
    }

    // MARK: - Advanced fields

    func testReferenceImagesBecomeReferenceItemsAndTheRequestWatermarkWinsOverTheOption() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = SeedanceProvider(settings: ProviderSettings(apiKeys: ["ark-test-good"], baseURL: fake.baseURL,
                                                                   options: ["watermark": "true"]), pollAfterMs: 20)
        let one = try media.jpeg("one.jpg"), two = try media.jpeg("two.jpg")
        func uri(_ path: String) -> JSONValue {
            .string("data:image/jpeg;base64," + (FileManager.default.contents(atPath: path)?.base64EncodedString() ?? ""))
        }
        let request = VideoRequest(model: "seedance-1-0-lite-i2v-250428", prompt: "the cat from the photos dances", seconds: 5,
                                   resolution: "720p", referenceImages: [one, two], watermark: false)
        _ = try await seedance.submit(request, idempotencyKey: "k")
        let create = try XCTUnwrap(fake.creates.first)
        XCTAssertEqual(create.json, [
            "model": "seedance-1-0-lite-i2v-250428",
            "content": [["type": "text", "text": "the cat from the photos dances"],
                        ["type": "image_url", "image_url": ["url": uri(one)], "role": "reference_image"],
                        ["type": "image_url", "image_url": ["url": uri(two)], "role": "reference_image"]],
            "resolution": "720p", "duration": 5, "watermark": false,
        ], "the request's watermark wins over the option")
        XCTAssertEqual(try seedance.wireRequest(for: request, idempotencyKey: "k"), create.json, "one body builder")

        // Without a request value the option applies; 2.0 takes up to 9 references.
        _ = try await seedance.submit(VideoRequest(model: "dreamina-seedance-2-0-260128", prompt: "a parade",
                                                   referenceImages: Array(repeating: one, count: 9)), idempotencyKey: "k2")
        let second = try XCTUnwrap(fake.creates.last?.json)
        XCTAssertEqual(second["watermark"], true)
        XCTAssertEqual(second["content"]?.arrayValue?.filter { $0["role"] == "reference_image" }.count, 9)
        XCTAssertEqual(fake.tasksCreated, 2)
    }

    func testReferenceImagesAreRefusedWhereArkRefusesThem() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeSeedanceServer.start(clip: Data())
        let seedance = provider(fake)
        let image = try media.jpeg()
        // Reference mode and first/last-frame mode exclude each other: refused before anything is sent.
        let mixed = await expectProviderError(.invalidInput, contains: "cannot be combined") {
            try await seedance.submit(VideoRequest(model: "dreamina-seedance-2-0-260128", prompt: "x", image: image,
                                                   referenceImages: [image]), idempotencyKey: "k")
        }
        XCTAssertEqual(mixed?.jobCertainlyNotCreated, true)
        XCTAssertTrue(fake.creates.isEmpty)
        // An endpoint id hides its model: the API itself refuses references the model does not take.
        await expectProviderError(.invalidInput, contains: "does not support reference_image") {
            try await seedance.submit(VideoRequest(model: "ep-20261124-abc", prompt: "x", referenceImages: [image]),
                                      idempotencyKey: "k2")
        }
        XCTAssertEqual(fake.tasksCreated, 0)

        let reference: JSONValue = ["type": "image_url", "image_url": ["url": "https://example.com/r.png"],
                                    "role": "reference_image"]
        let first: JSONValue = ["type": "image_url", "image_url": ["url": "https://example.com/f.png"], "role": "first_frame"]
        func problem(_ model: String, _ items: [JSONValue], resolution: String = "720p") -> String? {
            FakeSeedanceServer.problem(in: ["model": .string(model), "content": .array(items), "resolution": .string(resolution)])
        }
        let lite = "seedance-1-0-lite-i2v-250428", two = "doubao-seedance-2-0-fast-260128"
        XCTAssertNil(problem(lite, Array(repeating: reference, count: 4)))
        XCTAssertEqual(problem(lite, Array(repeating: reference, count: 5)), "At most 4 reference images are supported, got 5.")
        XCTAssertEqual(problem(lite, [reference], resolution: "1080p"), "reference_image does not support 1080p.")
        XCTAssertNil(problem(two, Array(repeating: reference, count: 9)))
        XCTAssertNotNil(problem(two, Array(repeating: reference, count: 10)))
        XCTAssertNotNil(problem(two, [first, reference]))
        XCTAssertNotNil(problem("seedance-1-0-pro-250528", [reference]))
        XCTAssertEqual(FakeSeedanceServer.problem(in: ["model": "m", "content": [["type": "text", "text": "x"]],
                                                       "watermark": "no"]), "watermark must be a boolean.")
    }

    func testCapabilitiesDeclareReferenceImagesPerModelAndTheWatermarkSwitchOnly() throws {
        let seedance = SeedanceProvider(settings: ProviderSettings(apiKeys: ["k"]))
        let lite = "seedance-1-0-lite-i2v-250428"
        XCTAssertEqual(seedance.capabilities(for: lite).maxReferenceImages, 4)
        XCTAssertEqual(seedance.capabilities(for: "doubao-seedance-2-0-fast-260128").maxReferenceImages, 9)
        XCTAssertEqual(seedance.capabilities(for: "seedance-1-5-pro-251215").maxReferenceImages, 0)
        XCTAssertTrue(seedance.capabilities(for: "seedance-1-0-lite-t2v-250428").watermark)
        XCTAssertEqual(seedance.capabilities.maxOutputs, 1, "several videos are several tasks")
        XCTAssertFalse(seedance.capabilities.remix, "draft_task renders a draft; it is not a remix")
        XCTAssertEqual(seedance.capabilities.styles, [])
        let five = VideoRequest(model: lite, prompt: "x", referenceImages: ["a", "b", "c", "d", "e"])
        XCTAssertThrowsError(try five.adapted(to: seedance.capabilities(for: lite), provider: "seedance", onUnsupported: .error))
        XCTAssertEqual(try five.adapted(to: seedance.capabilities(for: lite), provider: "seedance").request.referenceImages,
                       ["a", "b", "c", "d"])
        XCTAssertThrowsError(try VideoRequest(prompt: "x", remixOf: "cgt-1")
            .adapted(to: seedance.capabilities, provider: "seedance", onUnsupported: .error))
    }
}
