import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The Kling adapter against a fake that speaks Kling's legacy API: JWT auth, snake_case fields,
/// the envelope and its codes, reconciliation by `external_task_id`, callbacks, key rotation, a workflow.
final class KlingProviderTests: XCTestCase {
    private func settings(_ fake: FakeKlingServer, keys: [(String, String)] = [("ak_good", "sk_good")], timeout: Int = 10,
                          callbackURL: String? = nil, secret: String? = nil) -> ProviderSettings {
        ProviderSettings(apiKeys: keys.map(\.0), secretKeys: keys.map(\.1), baseURL: fake.baseURL, callbackURL: callbackURL,
                         webhookSecret: secret, requestTimeout: timeout)
    }

    private func provider(_ fake: FakeKlingServer, keys: [(String, String)] = [("ak_good", "sk_good")], timeout: Int = 10,
                          callbackURL: String? = nil, secret: String? = nil) -> KlingProvider {
        KlingProvider(settings: settings(fake, keys: keys, timeout: timeout, callbackURL: callbackURL, secret: secret), pollAfterMs: 20)
    }

    private func workflow(maxWait: Double = 30, attempts: Int = 3) -> String {
        providerWorkflow("kling-video", provider: "kling", generate: [
            "model: kling-v2-5-turbo", "prompt: a paper boat on a calm lake", "image: ${{ inputs.image }}", "seconds: 5",
            "resolution: 1080p",
        ], inputs: ["image: { type: string }"], maxWait: maxWait, attempts: attempts)
    }

    func testSubmitSendsSnakeCaseFieldsWithAFreshlySignedJWT() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake, callbackURL: "https://vidflow.example/v1/callbacks/kling?token=s3cret", secret: "s3cret")
        let image = try media.jpeg()
        let last = try media.jpeg("last.jpg")
        let t2v = try await kling.submit(VideoRequest(model: "kling-v2-6", prompt: "a fox", seconds: 10, aspectRatio: "9:16",
                                                      negativePrompt: "blur", generateAudio: true,
                                                      extraBody: ["camera_control": ["type": "forward_up"]]),
                                         idempotencyKey: "vf-run1-generate")
        let i2v = try await kling.submit(VideoRequest(model: "kling-v1-6", prompt: "", seconds: 5, resolution: "720p",
                                                      image: image, lastFrame: last), idempotencyKey: "vf-run2-generate")
        XCTAssertTrue(t2v.hasPrefix("text2video:"), t2v)
        XCTAssertTrue(i2v.hasPrefix("image2video:"), i2v)
        let t2vBody = try XCTUnwrap(fake.server.requests("POST", "/v1/videos/text2video").first?.json)
        XCTAssertEqual(t2vBody, [
            "model_name": "kling-v2-6", "prompt": "a fox", "negative_prompt": "blur", "duration": "10", "aspect_ratio": "9:16",
            "sound": "on", "mode": "pro", "external_task_id": "vf-run1-generate",
            "callback_url": "https://vidflow.example/v1/callbacks/kling?token=s3cret&kind=text2video",
            "camera_control": ["type": "forward_up"],
        ])
        let i2vBody = try XCTUnwrap(fake.server.requests("POST", "/v1/videos/image2video").first?.json)
        XCTAssertEqual(i2vBody["image"]?.stringValue, try Data(contentsOf: URL(fileURLWithPath: image)).base64EncodedString(),
                       "raw base64, no data: prefix")
        XCTAssertEqual(i2vBody["image_tail"]?.stringValue, try Data(contentsOf: URL(fileURLWithPath: last)).base64EncodedString())
        XCTAssertEqual(i2vBody["mode"], "std")
        XCTAssertEqual(i2vBody["duration"], "5", "duration is a string")
        XCTAssertNil(i2vBody["aspect_ratio"], "image2video follows the image")
        XCTAssertNil(i2vBody["prompt"])

        for request in fake.createRequests {
            let token = try XCTUnwrap(request.headers["authorization"]?.dropFirst("Bearer ".count)).split(separator: ".")
            XCTAssertEqual(token.count, 3)
            let header = try XCTUnwrap(FakeKlingServer.decode(String(token[0])))
            let claims = try XCTUnwrap(FakeKlingServer.decode(String(token[1])))
            XCTAssertEqual(header, ["alg": "HS256", "typ": "JWT"])
            XCTAssertEqual(claims["iss"], "ak_good")
            let now = Int(Date().timeIntervalSince1970)
            XCTAssertEqual(Double(try XCTUnwrap(claims["exp"]?.intValue)), Double(now + 1800), accuracy: 5)
            XCTAssertEqual(Double(try XCTUnwrap(claims["nbf"]?.intValue)), Double(now - 5), accuracy: 5)
        }
        XCTAssertEqual(fake.issuers, ["ak_good", "ak_good"], "the fake verified both signatures")

        let wire = WireRedaction.redact(try kling.wireRequest(for: VideoRequest(prompt: "x", image: image), idempotencyKey: "k"))
        XCTAssertEqual(wire["path"], "/v1/videos/image2video")
        XCTAssertEqual(wire["body"]?["model_name"], "kling-v2-6", "the default model")
        XCTAssertEqual(wire["body"]?["callback_url"], "https://vidflow.example/v1/callbacks/kling?token=****&kind=image2video")
        XCTAssertFalse(wire.canonicalJSON.contains("sk_good") || wire.canonicalJSON.contains("s3cret"))
        XCTAssertTrue(wire["body"]?["image"]?.stringValue?.hasPrefix("<") == true, "inline image bytes are not recorded")
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeKlingServer.start(clip: try media.clipData())
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()), inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.tasksCreated, 1)
        let stages = try await world.stages(run.id)
        XCTAssertTrue(stages["generate"]?.output?["job_id"]?.stringValue?.hasPrefix("image2video:") == true)
        XCTAssertEqual(stages["poll"]?.output?["cost"], "1", "final_unit_deduction is recorded")
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["transcode"]?.status, .completed)
        let body = try XCTUnwrap(fake.createRequests.first?.json)
        XCTAssertEqual(body["mode"], "pro", "1080p is pro mode")
        XCTAssertEqual(body["external_task_id"]?.stringValue, "vf-\(run.id)-generate")
    }

    func testStatesMapToTheUnifiedVocabulary() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        var seen: [VideoJobStatus] = []
        for _ in 0..<3 { seen.append(try await kling.status(of: id)) }
        XCTAssertEqual(seen.map(\.state), [.queued, .running, .succeeded], "submitted, processing, succeed")
        XCTAssertEqual(seen[0].pollAfterMs, 20)
        let taskID = String(id.dropFirst("text2video:".count))
        XCTAssertEqual(seen[2].result?.url, fake.baseURL + "/files/\(taskID).mp4")
        XCTAssertEqual(fake.server.requests("GET", "/v1/videos/text2video/\(taskID)").count, 3)
        let production = KlingProvider(settings: settings(fake))
        let queued = try await production.status(of: try await production.submit(VideoRequest(prompt: "y"), idempotencyKey: "k2"))
        XCTAssertEqual(queued.pollAfterMs, 5000, "the Vercel SDK's 5 s cadence")
    }

    func testConcurrencyLimitIsRetriedAfterRetryAfterThenSucceeds() async throws {
        var script = FakeKlingServer.Script()
        script.createFailures = [FakeKlingServer.envelope(1303, "parallel task over resource pack limit", status: 429)]
        script.createFailures[0].headers.append(("Retry-After", "1"))
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let started = Date()
        let id = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After honoured")
        XCTAssertEqual(fake.createRequests.count, 2)
        XCTAssertEqual(fake.tasksCreated, 1)
        XCTAssertNotNil(fake.tasks[String(id.dropFirst("text2video:".count))])
    }

    func testServerErrorsAreRetriedThenSucceed() async throws {
        var script = FakeKlingServer.Script()
        script.createFailures = [FakeKlingServer.envelope(5000, "Server internal error", status: 500)]
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.createRequests.count, 2)
        XCTAssertEqual(fake.tasksCreated, 1)
        fake.update { $0.statusFailures = [FakeKlingServer.envelope(5001, "Server temporarily unavailable", status: 503)] }
        let status = try await kling.status(of: id)
        XCTAssertEqual(status.state, .queued)
    }

    func testACreateWhoseAnswerTimedOutIsReconciledByExternalTaskID() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeKlingServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeKlingServer.start(clip: try media.clipData(), script: script)
        defer { Task { await fake.stop() } }
        let world = try ProvidersWorld(extraProviders: [provider(fake, timeout: 1)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()), inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.createRequests.count, 1, "the lost answer is reconciled, not paid again")
        XCTAssertEqual(fake.tasksCreated, 1)
        XCTAssertEqual(fake.server.requests("GET", "/v1/videos/image2video/vf-\(run.id)-generate").count, 1,
                       "looked up by external_task_id in the path")
        let logs = try await world.store.events(runID: run.id, after: 0, limit: 500).compactMap { $0.data["message"]?.stringValue }
        XCTAssertTrue(logs.contains { $0.contains("reconciled earlier submit") }, "\(logs)")
    }

    func testLookupFindsOnlyTheTaskWithThatExternalID() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        let missing = try await kling.lookup(idempotencyKey: "vf-none", request: VideoRequest(prompt: "x"))
        XCTAssertNil(missing)
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "vf-one")
        let found = try await kling.lookup(idempotencyKey: "vf-one", request: VideoRequest(prompt: "x"))
        XCTAssertEqual(found, id)
        XCTAssertTrue(kling.features.reconcile)
    }

    func testMalformedJSONIsTransientAndACreateWithABrokenAnswerIsNotRepeated() async throws {
        var script = FakeKlingServer.Script()
        script.createFailures = [.text("{\"code\":0,\"data\":{\"task_id\":", status: 200, contentType: "application/json")]
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        let error = await expectProviderError(.transient) {
            try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false)
        XCTAssertEqual(fake.createRequests.count, 1)
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k2")
        fake.update { $0.statusFailures = [.text("<html>gateway</html>", status: 200, contentType: "text/html")] }
        await expectProviderError(.transient, contains: "not JSON") { try await kling.status(of: id) }
    }

    func testATaskStuckProcessingTimesOutAtMaxWait() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeKlingServer.Script()
        script.stuck = true
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake),
                                              inputs: ["image": .string(try media.jpeg())])
        XCTAssertEqual(fake.tasksCreated, 1)
    }

    func testAFailedTaskSurfacesKlingsReasonAndContentRefusalsAreRejectedContent() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeKlingServer.Script()
        script.failure = "Video generation failed: the model could not render this scene"
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        try await assertPollFails(workflow(), with: provider(fake), inputs: ["image": .string(try media.jpeg())],
                                  kind: .providerFailed, contains: "could not render this scene")

        let kling = provider(fake)
        fake.update { $0.failure = "Failure to pass the risk control system" }
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let status = try await waitForJob(kling, id)
        XCTAssertEqual(status.errorKind, .rejectedContent)
        XCTAssertEqual(status.errorMessage, "Failure to pass the risk control system")

        fake.update { $0.createFailures = [FakeKlingServer.envelope(1301, "Trigger the content security policy of the platform", status: 400)] }
        let error = await expectProviderError(.rejectedContent, contains: "content security policy of the platform (code 1301)") {
            try await kling.submit(VideoRequest(prompt: "y"), idempotencyKey: "k3")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
    }

    func testCancelIsNotSupported() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        XCTAssertFalse(kling.features.cancel)
        let id = try await kling.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        await expectProviderError(contains: "no way to cancel") { try await kling.cancel(id) }
    }

    func testARefusedKeyPairIsBenchedAndTheNextPairSigns() async throws {
        var script = FakeKlingServer.Script()
        script.secrets = ["ak_one": "sk_one", "ak_two": "sk_two"]
        script.refused = ["ak_one": 1000]
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        let kling = provider(fake, keys: [("ak_one", "sk_one"), ("ak_two", "sk_two")])
        for index in 0..<3 { _ = try await kling.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        XCTAssertEqual(fake.issuers, ["ak_one", "ak_two", "ak_two", "ak_two"], "each token signed with its own secret")
        XCTAssertEqual(fake.tasksCreated, 3)
    }

    func testAnExhaustedResourcePackBenchesTheKey() async throws {
        var script = FakeKlingServer.Script()
        script.secrets = ["ak_one": "sk_one", "ak_two": "sk_two"]
        script.refused = ["ak_one": 1102]
        let fake = try await FakeKlingServer.start(clip: Data(), script: script)
        defer { Task { await fake.stop() } }
        _ = try await provider(fake, keys: [("ak_one", "sk_one"), ("ak_two", "sk_two")])
            .submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.issuers, ["ak_one", "ak_two"])
        let error = await expectProviderError(.auth, contains: "code 1102") {
            try await provider(fake, keys: [("ak_one", "sk_one")]).submit(VideoRequest(prompt: "x"), idempotencyKey: "k2")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
    }

    func testACallbackBeforeTheFirstPollCompletesThePoll() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake, callbackURL: "http://127.0.0.1:1/v1/callbacks/kling?token=t0k", secret: "t0k")
        XCTAssertTrue(kling.features.callbacks)
        let id = try await kling.submit(VideoRequest(prompt: "", image: try media.jpeg()), idempotencyKey: "k")
        let callbackURL = try XCTUnwrap(fake.createRequests.first?.json?["callback_url"]?.stringValue)
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: callbackURL)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        XCTAssertEqual(query, ["token": "t0k", "kind": "image2video"])
        let taskID = String(id.dropFirst("image2video:".count))
        let update = try XCTUnwrap(try kling.callback(ProviderCallbackDelivery(
            headers: ["content-type": "application/json"], query: query, body: fake.finishedCallbackBody(taskID))))
        XCTAssertEqual(update.jobID, id)
        XCTAssertEqual(update.status.state, .succeeded)

        let hub = ProviderCallbackHub()
        hub.deliver(provider: "kling", update)
        let registry = ProviderRegistry([kling], callbacks: hub)
        let context = try DirectContext(parameters: ["job_id": .string(id), "provider": "kling", "interval": 0.05,
                                                     "max_interval": 0.2, "max_wait": 5], directory: media.directory)
        let result = try await VideoPollStage(providers: registry).run(context)
        XCTAssertEqual(result.outputs["url"]?.stringValue, fake.baseURL + "/files/\(taskID).mp4")
        XCTAssertEqual(fake.server.requests("GET", "/v1/videos/image2video/\(taskID)").count, 0, "no status request needed")

        let failed = try XCTUnwrap(try kling.callback(ProviderCallbackDelivery(
            headers: [:], query: query, body: fake.finishedCallbackBody(taskID, failure: "risk control"))))
        XCTAssertEqual(failed.status.errorKind, .rejectedContent)
    }

    func testACallbackWithAWrongTokenIsRejected() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake, callbackURL: "https://vidflow.example/v1/callbacks/kling?token=t0k", secret: "t0k")
        let body = fake.finishedCallbackBody("123")
        for query in [["token": "wrong", "kind": "text2video"], ["kind": "text2video"]] {
            XCTAssertThrowsError(try kling.callback(ProviderCallbackDelivery(headers: [:], query: query, body: body))) { error in
                XCTAssertEqual((error as? ProviderError)?.kind, .auth)
            }
        }
        XCTAssertThrowsError(try kling.callback(ProviderCallbackDelivery(headers: [:], query: ["token": "t0k"], body: Data("nope".utf8))))
        let open = provider(fake)
        let update = try open.callback(ProviderCallbackDelivery(headers: [:], query: [:], body: body))
        XCTAssertEqual(update?.jobID, "text2video:123", "without a secret the callback is accepted; kind defaults to text2video")
    }

    func testTestConnectionListsTasksWithTheToken() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        try await provider(fake).testConnection()
        let list = try XCTUnwrap(fake.server.requests("GET", "/v1/videos/text2video").first)
        XCTAssertEqual(list.query, ["pageNum": "1", "pageSize": "1"])
        XCTAssertEqual(fake.tasksCreated, 0, "never a paid generation")
        await expectProviderError(.auth, contains: "code 1000", "expected an auth error") {
            try await provider(fake, keys: [("ak_good", "sk_wrong")]).testConnection()
        }
    }

    func testCapabilitiesDescribeEachModel() {
        let kling = KlingProvider(settings: ProviderSettings(apiKeys: ["ak"], secretKeys: ["sk"]))
        XCTAssertEqual(kling.capabilities.models.first, "kling-v2-6")
        XCTAssertEqual(kling.capabilities.allowedSeconds, [5, 10])
        XCTAssertTrue(kling.capabilities.audio)
        XCTAssertEqual(kling.capabilities(for: "kling-v3").allowedSeconds, (3...15).map(Double.init))
        XCTAssertFalse(kling.capabilities(for: "kling-v1").audio || kling.capabilities(for: "kling-v2-master").lastFrame)
        XCTAssertFalse(kling.capabilities.seed)
        XCTAssertEqual(kling.capabilities.aspectRatios, ["16:9", "9:16", "1:1"])
    }
}
