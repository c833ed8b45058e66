import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The DashScope (Wan) adapter against a fake that speaks DashScope's async task API: paths, headers,
/// body fields, retries, lost answers, failures, cancel, key rotation, and a whole workflow.
final class DashScopeProviderTests: XCTestCase {
    private func provider(_ fake: FakeDashScopeServer, keys: [String] = ["sk-dash-good"], timeout: Int = 10) -> DashScopeProvider {
        DashScopeProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, requestTimeout: timeout), pollAfterMs: 20)
    }

    private func workflow(maxWait: Double = 30, attempts: Int = 3, image: String? = nil) -> String {
        providerWorkflow("dashscope-video", provider: "dashscope", generate: [
            "model: \(image == nil ? "wan2.6-t2v" : "wan2.6-i2v")", "prompt: lanterns rising over a dark lake", "seconds: 5",
            "resolution: 720p", "seed: 11",
        ], image: image, maxWait: maxWait, attempts: attempts)
    }

    private let generationPath = "/api/v1/services/aigc/video-generation/video-synthesis"
    private let image2videoPath = "/api/v1/services/aigc/image2video/video-synthesis"

    func testTextToVideoSendsTheAsyncHeaderAndTheWanBody() async throws {
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let wan = provider(fake)
        let request = VideoRequest(model: "wan2.6-t2v", prompt: "a fox in snow", seconds: 10, aspectRatio: "16:9",
                                   resolution: "1080p", negativePrompt: "blur", seed: 7,
                                   extraBody: ["prompt_extend": false, "audio_url": "https://example.com/a.mp3"])
        let id = try await wan.submit(request, idempotencyKey: "vf-r-g")
        XCTAssertNotNil(fake.tasks[id])
        let create = try XCTUnwrap(fake.server.requests("POST", generationPath).first)
        XCTAssertEqual(create.headers["authorization"], "Bearer sk-dash-good")
        XCTAssertEqual(create.headers["x-dashscope-async"], "enable")
        XCTAssertEqual(create.headers["content-type"], "application/json")
        XCTAssertEqual(create.json, [
            "model": "wan2.6-t2v",
            "input": ["prompt": "a fox in snow", "negative_prompt": "blur", "audio_url": "https://example.com/a.mp3"],
            "parameters": ["size": "1920*1080", "duration": 10, "seed": 7, "prompt_extend": false],
        ])
        XCTAssertEqual(try wan.wireRequest(for: request, idempotencyKey: "vf-r-g"), create.json, "one body builder")

        // An exact size keeps its pixels with an asterisk; a fixed-5 s model gets no duration.
        _ = try await wan.submit(VideoRequest(model: "wan2.2-t2v-plus", prompt: "waves", seconds: 5, size: "832x480"),
                                 idempotencyKey: "k2")
        let second = try XCTUnwrap(fake.creates.last?.json)
        XCTAssertEqual(second["parameters"], ["size": "832*480"])
        // Only an aspect ratio: the model's largest tier in that ratio.
        _ = try await wan.submit(VideoRequest(model: "wanx2.1-t2v-turbo", prompt: "waves", aspectRatio: "9:16"), idempotencyKey: "k3")
        XCTAssertEqual(fake.creates.last?.json?["parameters"]?["size"], "720*1280")
    }

    func testImageToVideoSendsTheImageAsADataURIAndTheTierInCapitals() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let image = try media.jpeg()
        _ = try await provider(fake).submit(VideoRequest(model: "wan2.6-i2v-flash", prompt: "it starts to rain", seconds: 3,
                                                         resolution: "720p", image: image, generateAudio: false),
                                            idempotencyKey: "k")
        let body = try XCTUnwrap(fake.server.requests("POST", generationPath).first?.json)
        let url = try XCTUnwrap(body["input"]?["img_url"]?.stringValue)
        XCTAssertTrue(url.hasPrefix("data:image/jpeg;base64,"))
        XCTAssertEqual(Data(base64Encoded: String(url.dropFirst("data:image/jpeg;base64,".count))),
                       try Data(contentsOf: URL(fileURLWithPath: image)))
        XCTAssertEqual(body["parameters"], ["resolution": "720P", "duration": 3, "audio": false])

        // Sound cannot be switched off on wan2.6-i2v: no `audio` parameter is invented.
        _ = try await provider(fake).submit(VideoRequest(model: "wan2.6-i2v", prompt: "x", image: image, generateAudio: false),
                                            idempotencyKey: "k2")
        XCTAssertNil(fake.creates.last?.json?["parameters"]?["audio"])
    }

    func testKeyFrameModelsPostToTheImage2videoPath() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let wan = provider(fake)
        _ = try await wan.submit(VideoRequest(model: "wan2.2-kf2v-flash", prompt: "morph", seconds: 5, resolution: "480p",
                                              image: try media.jpeg("a.jpg"), lastFrame: try media.jpeg("b.png")),
                                 idempotencyKey: "k")
        let body = try XCTUnwrap(fake.server.requests("POST", image2videoPath).first?.json)
        XCTAssertTrue(body["input"]?["first_frame_url"]?.stringValue?.hasPrefix("data:image/") == true)
        XCTAssertTrue(body["input"]?["last_frame_url"]?.stringValue?.hasPrefix("data:image/") == true)
        XCTAssertEqual(body["parameters"], ["resolution": "480P"])

        _ = try await wan.submit(VideoRequest(model: "wan2.7-i2v", prompt: "morph", seconds: 8, resolution: "1080p",
                                              image: try media.jpeg("c.jpg"), lastFrame: try media.jpeg("d.jpg")),
                                 idempotencyKey: "k2")
        let media27 = try XCTUnwrap(fake.server.requests("POST", generationPath).last?.json?["input"]?["media"]?.arrayValue)
        XCTAssertEqual(media27.map { $0["type"] }, ["first_frame", "last_frame"])
        XCTAssertTrue(fake.server.requests("POST", generationPath).last?.json?["input"]?["img_url"] == nil)
    }

    func testCapabilitiesDescribeEachModel() {
        let wan = DashScopeProvider(settings: ProviderSettings(apiKeys: ["k"]))
        XCTAssertEqual(wan.capabilities.models.first, "wan2.6-i2v")
        XCTAssertTrue(wan.capabilities.imageInput)
        XCTAssertFalse(wan.capabilities.textToVideo)
        XCTAssertEqual(wan.capabilities.allowedSeconds, [5, 10, 15])
        XCTAssertEqual(wan.capabilities.resolutions, ["720p", "1080p"])
        XCTAssertTrue(wan.capabilities.aspectRatios.isEmpty, "the output follows the image's aspect")
        let t2v = wan.capabilities(for: "wan2.6-t2v")
        XCTAssertTrue(t2v.textToVideo)
        XCTAssertFalse(t2v.imageInput)
        XCTAssertTrue(t2v.sizes.contains("1920x1080"))
        XCTAssertEqual(t2v.maxPromptLength, 1500)
        XCTAssertEqual(wan.capabilities(for: "wanx2.1-t2v-turbo").maxPromptLength, 800)
        XCTAssertTrue(wan.capabilities(for: "wan2.2-kf2v-flash").lastFrame)
        XCTAssertEqual(wan.capabilities(for: "wan2.6-i2v-flash").secondsRange, 2...15)
        XCTAssertNil(wan.capabilities(for: "wan2.6-i2v-flash").allowedSeconds)
        XCTAssertFalse(wan.capabilities(for: "wan2.2-i2v-plus").audio)
        XCTAssertFalse(wan.capabilities(for: "wan9-t2v").models.contains("wan9-t2v"), "unknown ids are not accepted")
        XCTAssertEqual(wan.features, ProviderFeatures(cancel: true, callbacks: false, reconcile: false))
        XCTAssertThrowsError(try wan.callback(ProviderCallbackDelivery(headers: [:], body: Data("{}".utf8))))
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeDashScopeServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow(image: try media.jpeg())))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.tasksCreated, 1)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["poll"]?.output?["cost"]?["video_count"], 1)
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        let recorded = try XCTUnwrap(job?.request["provider_request"])
        XCTAssertEqual(recorded["parameters"]?["resolution"], "720P")
        XCTAssertTrue(recorded["input"]?["img_url"]?.stringValue?.contains("base64 chars") == true, "image bytes redacted")
        XCTAssertTrue(fake.server.requests.contains { $0.path.hasPrefix("/oss/") }, "the video came from the pre-signed URL")
    }

    func testThrottledCreateWaitsForRetryAfterThenSucceeds() async throws {
        var script = FakeDashScopeServer.Script()
        script.createFailures = [.json(["request_id": "r1", "code": "Throttling.RateQuota",
                                        "message": "Requests rate limit exceeded, please try again later."],
                                       status: 429, headers: [("Retry-After", "1")])]
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        let started = Date()
        let id = try await provider(fake).submit(VideoRequest(model: "wan2.6-t2v", prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.tasksCreated, 1)
        XCTAssertNotNil(fake.tasks[id])
    }

    func testThrottlingCodesAreRateLimitedWhateverTheHTTPStatus() async throws {
        var script = FakeDashScopeServer.Script()
        script.createFailures = [.json(["request_id": "r1", "code": "Throttling.AllocationQuota",
                                        "message": "Allocated quota exceeded, please increase your quota limit."], status: 400)]
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        _ = try await provider(fake).submit(VideoRequest(model: "wan2.6-t2v", prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.count, 2, "a Throttling code is retried like a 429, not refused like a 400")
        XCTAssertEqual(fake.tasksCreated, 1)

        fake.update { $0.createFailures = [.json(["request_id": "r2", "code": "DataInspectionFailed",
                                                  "message": "Input data may contain inappropriate content."], status: 400)] }
        let error = await expectProviderError(.rejectedContent, contains: "inappropriate content. (code DataInspectionFailed)") {
            try await provider(fake).submit(VideoRequest(model: "wan2.6-t2v", prompt: "y"), idempotencyKey: "k2")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
    }

    func testServerErrorsAreRetriedThenSucceed() async throws {
        var script = FakeDashScopeServer.Script()
        script.createFailures = [.json(["request_id": "r1", "code": "InternalError", "message": "An internal error has occured."],
                                       status: 500)]
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        let wan = provider(fake)
        let id = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.count, 2, "a 500 answer created nothing, so the create is repeated")
        XCTAssertEqual(fake.tasksCreated, 1)
        fake.update { $0.statusFailures = [.text("Service Unavailable", status: 503)] }
        let status = try await wan.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(status.pollAfterMs, 20)
    }

    func testACreateWhoseAnswerTimedOutIsNeverSubmittedTwice() async throws {
        try requireFFmpegOrSkip()
        var script = FakeDashScopeServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        try await assertGenerateFails(workflow(), with: provider(fake, timeout: 1),
                                      kind: .providerFailed, contains: "client reference",
                                      "DashScope has no client reference: the lost submit cannot be reconciled")
        XCTAssertEqual(fake.creates.count, 1, "the create whose answer was lost is not repeated")
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testMalformedJSONIsATransientErrorAndACreateIsNotRepeated() async throws {
        var script = FakeDashScopeServer.Script()
        script.createFailures = [.text("<html>502 Bad Gateway</html>", status: 200, contentType: "text/html")]
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        let wan = provider(fake)
        let error = await expectProviderError(.transient) {
            try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "x"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false, "a 2xx answer may have created a task")
        XCTAssertEqual(fake.creates.count, 1)
        fake.update { $0.statusFailures = [.text("{\"output\": {", status: 200, contentType: "application/json")] }
        await expectProviderError(.transient, contains: "not JSON") { try await wan.status(of: "t-1") }
    }

    func testATaskStuckRunningTimesOutAtMaxWait() async throws {
        try requireFFmpegOrSkip()
        var script = FakeDashScopeServer.Script()
        script.stuck = true
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake))
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testAFailedTaskSurfacesDashScopesReason() async throws {
        try requireFFmpegOrSkip()
        var script = FakeDashScopeServer.Script()
        script.failure = ("DataInspectionFailed", "Output data may contain inappropriate content.")
        let fake = try await FakeDashScopeServer.start(clip: Data(), script: script)
        try await assertPollFails(workflow(), with: provider(fake),
                                  kind: .rejectedContent, contains: "may contain inappropriate content")

        fake.update { $0.failure = ("InternalError.Algo", "algorithm process error") }
        let wan = provider(fake)
        let id = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "y"), idempotencyKey: "k")
        let status = try await waitForJob(wan, id, timeout: 10)
        XCTAssertEqual(status.errorKind, .providerFailed)
        XCTAssertEqual(status.errorMessage, "algorithm process error (code InternalError.Algo)")

        let unknown = try await wan.status(of: "0b6bd9d0-expired")
        XCTAssertEqual(unknown.state, .failed)
        XCTAssertTrue(unknown.errorMessage?.contains("24 h") == true)
    }

    func testCancelStopsAPendingTaskOnlyAndLeavesFinishedOnesAlone() async throws {
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let wan = provider(fake)
        let pending = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "x"), idempotencyKey: "k1")
        try await wan.cancel(pending)
        XCTAssertEqual(fake.server.requests("POST", "/api/v1/tasks/\(pending)/cancel").count, 1)
        let after = try await wan.status(of: pending)
        XCTAssertEqual(after.state, .cancelled)

        let finished = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "y"), idempotencyKey: "k2")
        _ = try await waitForJob(wan, finished, timeout: 10)
        try await wan.cancel(finished)
        XCTAssertTrue(fake.server.requests("POST", "/api/v1/tasks/\(finished)/cancel").isEmpty)

        fake.update { $0.pendingPolls = 0; $0.stuck = true }
        let running = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "z"), idempotencyKey: "k3")
        await expectProviderError(contains: "PENDING tasks only", "DashScope cannot cancel a running task") {
            try await wan.cancel(running)
        }
    }

    func testARefusedKeyIsBenchedAndTheNextKeyUsed() async throws {
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let wan = provider(fake, keys: ["sk-dash-revoked", "sk-dash-good"])
        for index in 0..<3 {
            _ = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "x\(index)"), idempotencyKey: "k\(index)")
        }
        let keys = fake.creates.map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(keys, ["Bearer sk-dash-revoked", "Bearer sk-dash-good", "Bearer sk-dash-good", "Bearer sk-dash-good"])
        XCTAssertEqual(fake.tasksCreated, 3)
    }

    func testConnectionAsksForAMadeUpTaskAndNeverGenerates() async throws {
        let fake = try await FakeDashScopeServer.start(clip: Data())
        try await provider(fake).testConnection()
        XCTAssertEqual(fake.server.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/api/v1/tasks/") }.count, 1)
        await expectProviderError(.auth, contains: "InvalidApiKey", "a refused key must fail the test") {
            try await provider(fake, keys: ["sk-dash-revoked"]).testConnection()
        }
        XCTAssertTrue(fake.creates.isEmpty, "never a paid generation")
    }

    // MARK: - Advanced fields

    func testWatermarkGoesIntoParametersOnEveryModelAndTheFakeChecksItIsABoolean() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeDashScopeServer.start(clip: Data())
        let wan = provider(fake)
        let request = VideoRequest(model: "wan2.6-t2v", prompt: "a fox", seconds: 5, size: "1280x720", watermark: true)
        _ = try await wan.submit(request, idempotencyKey: "k")
        let create = try XCTUnwrap(fake.creates.last?.json)
        XCTAssertEqual(create, ["model": "wan2.6-t2v", "input": ["prompt": "a fox"],
                                "parameters": ["size": "1280*720", "duration": 5, "watermark": true]])
        XCTAssertEqual(try wan.wireRequest(for: request, idempotencyKey: "k"), create, "one body builder")

        _ = try await wan.submit(VideoRequest(model: "wan2.2-kf2v-flash", prompt: "morph", image: try media.jpeg("a.jpg"),
                                              lastFrame: try media.jpeg("b.jpg"), watermark: false), idempotencyKey: "k2")
        XCTAssertEqual(fake.server.requests("POST", image2videoPath).last?.json?["parameters"], ["watermark": false])
        // extra_body still has the last word.
        _ = try await wan.submit(VideoRequest(model: "wan2.6-t2v", prompt: "x", watermark: true, extraBody: ["watermark": false]),
                                 idempotencyKey: "k3")
        XCTAssertEqual(fake.creates.last?.json?["parameters"], ["watermark": false])
        XCTAssertEqual(fake.tasksCreated, 3)

        XCTAssertEqual(FakeDashScopeServer.problem(in: ["model": "wan2.6-t2v", "input": ["prompt": "x"],
                                                        "parameters": ["watermark": "false"]], path: "video-generation"),
                       "The watermark must be a boolean.")
    }

    func testOnlyTheWatermarkIsDeclaredAmongTheAdvancedFields() throws {
        let wan = DashScopeProvider(settings: ProviderSettings(apiKeys: ["k"]))
        for model in ["wan2.6-t2v", "wan2.6-i2v-flash", "wan2.2-kf2v-flash", "wan2.7-t2v", "wan2.7-i2v", "wanx2.1-t2v-turbo"] {
            let capabilities = wan.capabilities(for: model)
            XCTAssertTrue(capabilities.watermark, model)
            XCTAssertEqual(capabilities.maxOutputs, 1, model)
            XCTAssertEqual(capabilities.maxReferenceImages, 0, model)
            XCTAssertFalse(capabilities.remix, model)
            XCTAssertEqual(capabilities.styles, [], model)
        }
        let t2v = wan.capabilities(for: "wan2.6-t2v")
        XCTAssertThrowsError(try VideoRequest(model: "wan2.6-t2v", prompt: "x", referenceImages: ["/tmp/r.jpg"])
            .adapted(to: t2v, provider: "dashscope", onUnsupported: .error))
        // One video per task: num_outputs fans out into tasks, up to the fan-out bound.
        XCTAssertEqual(try VideoRequest(model: "wan2.6-t2v", prompt: "x", numOutputs: 2)
            .adapted(to: t2v, provider: "dashscope", onUnsupported: .error).request.numOutputs, 2)
        XCTAssertThrowsError(try VideoRequest(model: "wan2.6-t2v", prompt: "x", numOutputs: 9)
            .adapted(to: t2v, provider: "dashscope", onUnsupported: .error))
        XCTAssertEqual(try VideoRequest(model: "wan2.6-t2v", prompt: "x", watermark: true)
            .adapted(to: t2v, provider: "dashscope", onUnsupported: .error).request.watermark, true)
    }
}
