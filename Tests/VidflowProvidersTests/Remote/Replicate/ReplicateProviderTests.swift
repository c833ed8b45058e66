import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// The Replicate adapter against a fake predictions API: fields, auth, retries, a lost create answer,
/// failures, cancel, key rotation, and a whole workflow.
final class ReplicateProviderTests: XCTestCase {
    private func provider(_ fake: FakeReplicateServer, keys: [String] = ["r8_good"], timeout: Int = 10) -> ReplicateProvider {
        ReplicateProvider(settings: ProviderSettings(apiKeys: keys, baseURL: fake.baseURL, requestTimeout: timeout))
    }

    private func workflow(maxWait: Double = 30, attempts: Int = 3) -> String {
        providerWorkflow("replicate-video", provider: "replicate", generate: [
            "prompt: a lighthouse beam sweeping over a stormy sea", "seconds: 5", "aspect_ratio: \"16:9\"", "resolution: 720p",
            "seed: 3",
        ], maxWait: maxWait, attempts: attempts)
    }

    private let createPath = "/v1/models/bytedance/seedance-1-pro/predictions"

    func testAnOfficialModelIsCreatedByPathWithItsInputAndBearerAuth() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "a fox", seconds: 8, aspectRatio: "9:16", resolution: "1080p",
                                                         seed: 11, fps: 24, extraBody: ["camera_fixed": true]),
                                            idempotencyKey: "vf-r-g")
        let create = try XCTUnwrap(fake.server.requests("POST", createPath).first)
        XCTAssertEqual(create.headers["authorization"], "Bearer r8_good")
        XCTAssertEqual(create.json, ["input": ["prompt": "a fox", "duration": 8, "aspect_ratio": "9:16", "resolution": "1080p",
                                               "seed": 11, "fps": 24, "camera_fixed": true]])
        XCTAssertNotNil(fake.predictions[id])

        let version = String(repeating: "ab12", count: 16)
        _ = try await replicate.submit(VideoRequest(model: "bytedance/seedance-1-lite:\(version)", prompt: "a cat"),
                                       idempotencyKey: "vf-r-h")
        let pinned = try XCTUnwrap(fake.server.requests("POST", "/v1/predictions").first)
        XCTAssertEqual(pinned.json, ["version": .string(version), "input": ["prompt": "a cat"]])
    }

    func testImagesGoIntoInputAsDataURIs() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let first = try media.jpeg("first.jpg")
        let last = try media.jpeg("last.jpg")
        let request = VideoRequest(prompt: "morning to night", seconds: 5, image: first, lastFrame: last)
        _ = try await replicate.submit(request, idempotencyKey: "k")
        let input = try XCTUnwrap(fake.server.requests("POST", createPath).first?.json?["input"]?.objectValue)
        XCTAssertEqual(Set(input.keys), ["prompt", "duration", "image", "last_frame_image"])
        let prefix = "data:image/jpeg;base64,"
        let image = try XCTUnwrap(input["image"]?.stringValue)
        XCTAssertTrue(image.hasPrefix(prefix))
        XCTAssertEqual(Data(base64Encoded: String(image.dropFirst(prefix.count))), FileManager.default.contents(atPath: first))
        XCTAssertTrue(input["last_frame_image"]?.stringValue?.hasPrefix(prefix) == true)
        let wire = WireRedaction.redact(try replicate.wireRequest(for: request, idempotencyKey: "k"))
        XCTAssertFalse(wire.canonicalJSON.contains(String(image.suffix(40))), "image bytes are not recorded")
        XCTAssertTrue(replicate.capabilities(for: "bytedance/seedance-1-pro").lastFrame)
        XCTAssertTrue(replicate.capabilities(for: "someone/new-video-model").anyModel)
    }

    func testWholeWorkflowGeneratesPollsDownloadsAndTranscodes() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeReplicateServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow()))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.jobsCreated, 1)
        let id = try XCTUnwrap(fake.predictions.keys.first)
        XCTAssertGreaterThanOrEqual(fake.server.requests("GET", "/v1/predictions/\(id)").count, 2)
        XCTAssertEqual(fake.server.requests("GET", "/files/\(id)/output.mp4").count, 1)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["poll"]?.output?["cost"]?["predict_time"], 41.7, "metrics recorded as the cost")
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        XCTAssertEqual(job?.request["provider_request"]?["input"]?["duration"], 5, "the provider request is recorded")
    }

    func testThrottledCreateWaitsAsTheDetailSaysThenSucceeds() async throws {
        var script = FakeReplicateServer.Script()
        script.createFailures = [.json(["detail": "Request was throttled. Your rate limit resets in ~1s.", "status": 429,
                                        "title": "Request was throttled"], status: 429)]
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        let started = Date()
        _ = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "the 'resets in ~1s' hint honoured")
        XCTAssertEqual(fake.server.requests("POST", createPath).count, 2)
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testServerErrorsOnCreateAndStatusAreRetriedThenSucceed() async throws {
        var script = FakeReplicateServer.Script()
        script.createFailures = [.json(["title": "Service Unavailable", "detail": "try again", "status": 503], status: 503)]
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.jobsCreated, 1)
        fake.update { $0.statusFailures = [.json(["title": "Internal Server Error", "status": 500], status: 500)] }
        let status = try await replicate.status(of: id)
        XCTAssertEqual(status.state, .queued)
        XCTAssertEqual(fake.server.requests("GET", "/v1/predictions/\(id)").count, 2)
    }

    func testACreateWhoseAnswerTimedOutIsNotCreatedAgain() async throws {
        try requireFFmpegOrSkip()
        var script = FakeReplicateServer.Script()
        script.firstCreateDelay = .seconds(3)
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        try await assertGenerateFails(workflow(), with: provider(fake, timeout: 1), contains: "no way to find a job")
        XCTAssertEqual(fake.server.requests("POST", createPath).count, 1, "never paid twice")
        XCTAssertEqual(fake.jobsCreated, 1)
        XCTAssertFalse(provider(fake).features.reconcile)
    }

    func testMalformedPredictionBodyIsATransientError() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        fake.update { $0.statusFailures = [.text("{\"id\": \"trunc", status: 200, contentType: "application/json")] }
        await expectProviderError(.transient, contains: "not JSON") { try await replicate.status(of: id) }
    }

    func testAPredictionStuckProcessingTimesOutAtMaxWait() async throws {
        try requireFFmpegOrSkip()
        var script = FakeReplicateServer.Script()
        script.stuck = true
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.6, attempts: 1), with: provider(fake))
        XCTAssertEqual(fake.jobsCreated, 1)
    }

    func testAFlaggedPredictionSurfacesReplicatesReason() async throws {
        try requireFFmpegOrSkip()
        var script = FakeReplicateServer.Script()
        script.failure = "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        try await assertPollFails(workflow(), with: provider(fake), kind: .rejectedContent, contains: "flagged as sensitive")
    }

    func testOtherFailuresAreProviderFailuresAndListOutputsAreRead() async throws {
        var script = FakeReplicateServer.Script()
        script.failure = "CUDA out of memory"
        script.pollsToFinish = 1
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let failed = try await replicate.status(of: id)
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.errorKind, .providerFailed)
        XCTAssertEqual(failed.errorMessage, "CUDA out of memory")
        fake.update { $0.failure = nil; $0.outputAsList = true }
        let succeeded = try await replicate.status(of: id)
        XCTAssertEqual(succeeded.result?.url, fake.baseURL + "/files/\(id)/output.mp4")
        let location = try await replicate.resultLocation(of: id)
        XCTAssertEqual(location.url, fake.baseURL + "/files/\(id)/output.mp4")
    }

    func testProcessingReportsProgressFromTheLogs() async throws {
        var script = FakeReplicateServer.Script()
        script.stuck = true
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let first = try await replicate.status(of: id)
        let second = try await replicate.status(of: id)
        XCTAssertEqual(first.state, .queued)
        XCTAssertEqual(second.state, .running)
        XCTAssertEqual(second.progress, 45)
    }

    func testCancelAndAbortEndAsCancelled() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        try await replicate.cancel(id)
        XCTAssertEqual(fake.server.requests("POST", "/v1/predictions/\(id)/cancel").count, 1)
        let cancelled = try await replicate.status(of: id)
        XCTAssertEqual(cancelled.state, .cancelled)
        let other = try await replicate.submit(VideoRequest(prompt: "y"), idempotencyKey: "k2")
        fake.abort(other)
        let aborted = try await replicate.status(of: other)
        XCTAssertEqual(aborted.state, .cancelled)
        XCTAssertTrue(aborted.errorMessage?.contains("aborted") == true)
    }

    func testARefusedTokenIsBenchedAndTheNextTokenUsed() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake, keys: ["r8_revoked", "r8_good"])
        for index in 0..<3 { _ = try await replicate.submit(VideoRequest(prompt: "x\(index)"), idempotencyKey: "k\(index)") }
        let tokens = fake.server.requests("POST", createPath).map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(tokens, ["Bearer r8_revoked", "Bearer r8_good", "Bearer r8_good", "Bearer r8_good"])
        XCTAssertEqual(fake.jobsCreated, 3)
    }

    func testTestConnectionReadsTheAccount() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        try await provider(fake).testConnection()
        XCTAssertEqual(fake.server.requests("GET", "/v1/account").count, 1)
        await expectProviderError(.auth, "expected an auth error") {
            try await provider(fake, keys: ["r8_revoked"]).testConnection()
        }
    }

    // MARK: - Advanced fields

    func testSeedanceLiteReferenceImagesGoIntoInputAsDataURIs() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let one = try media.jpeg("one.jpg"), two = try media.jpeg("two.jpg")
        func uri(_ path: String) -> JSONValue {
            .string("data:image/jpeg;base64," + (FileManager.default.contents(atPath: path)?.base64EncodedString() ?? ""))
        }
        let request = VideoRequest(model: "bytedance/seedance-1-lite", prompt: "the two friends wave", seconds: 5,
                                   resolution: "720p", referenceImages: [one, two])
        let id = try await replicate.submit(request, idempotencyKey: "k")
        let create = try XCTUnwrap(fake.server.requests("POST", "/v1/models/bytedance/seedance-1-lite/predictions").first)
        XCTAssertEqual(create.json, ["input": ["prompt": "the two friends wave", "duration": 5, "resolution": "720p",
                                               "reference_images": [uri(one), uri(two)]]])
        XCTAssertEqual(try replicate.wireRequest(for: request, idempotencyKey: "k"), create.json, "one body builder")
        XCTAssertNotNil(fake.predictions[id])
    }

    func testReferenceImagesAreRefusedWhereTheModelSchemaForbidsThem() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let image = try media.jpeg()
        let lite = "bytedance/seedance-1-lite"
        let refused: [(VideoRequest, String)] = [
            (VideoRequest(prompt: "x", referenceImages: [image]), "takes no reference images"),
            (VideoRequest(model: lite, prompt: "x", image: image, referenceImages: [image]), "cannot be combined"),
            (VideoRequest(model: lite, prompt: "x", resolution: "1080p", referenceImages: [image]), "1080p"),
            (VideoRequest(model: lite, prompt: "x", referenceImages: Array(repeating: image, count: 5)), "at most 4"),
        ]
        for (request, text) in refused {
            let error = await expectProviderError(.invalidInput, contains: text) {
                try await replicate.submit(request, idempotencyKey: "k")
            }
            XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        }
        XCTAssertEqual(fake.jobsCreated, 0, "nothing was sent")

        let uri: JSONValue = "https://example.com/r.png"
        XCTAssertNil(FakeReplicateServer.referenceProblem(["reference_images": [uri, uri, uri, uri]], model: lite))
        XCTAssertNotNil(FakeReplicateServer.referenceProblem(["reference_images": [uri, uri, uri, uri, uri]], model: lite))
        XCTAssertNotNil(FakeReplicateServer.referenceProblem(["reference_images": [uri], "resolution": "1080p"], model: lite))
        XCTAssertNotNil(FakeReplicateServer.referenceProblem(["reference_images": [uri], "image": uri], model: lite))
        XCTAssertNotNil(FakeReplicateServer.referenceProblem(["reference_images": [uri]], model: "bytedance/seedance-1-pro"))

        XCTAssertEqual(replicate.capabilities(for: lite).maxReferenceImages, 4)
        XCTAssertEqual(replicate.capabilities(for: "\(lite):\(String(repeating: "ab12", count: 16))").maxReferenceImages, 4)
        for model in ["bytedance/seedance-1-pro", "bytedance/seedance-1.5-pro", "someone/new-video-model"] {
            let capabilities = replicate.capabilities(for: model)
            XCTAssertEqual(capabilities.maxReferenceImages, 0, model)
            XCTAssertEqual(capabilities.maxOutputs, 1, model)
            XCTAssertFalse(capabilities.watermark, model)
            XCTAssertFalse(capabilities.remix, model)
        }
        XCTAssertThrowsError(try VideoRequest(prompt: "x", watermark: true)
            .adapted(to: replicate.capabilities, provider: "replicate", onUnsupported: .error))
    }

    func testAListOutputIsTheResultPlusAdditionalResults() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        var script = FakeReplicateServer.Script()
        script.outputAsList = true
        script.listLength = 3
        let fake = try await FakeReplicateServer.start(clip: try media.clipData(), script: script)
        let (run, stages) = try await runWorkflow(workflow(), with: provider(fake))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let id = try XCTUnwrap(fake.predictions.keys.first)
        let files = fake.baseURL + "/files/\(id)/"
        XCTAssertEqual(stages["poll"]?.output?["url"], .string(files + "output.mp4"))
        XCTAssertEqual(stages["poll"]?.output?["urls"], [.string(files + "output.mp4"), .string(files + "output-1.mp4"),
                                                        .string(files + "output-2.mp4")])
        let status = try await provider(fake).status(of: id)
        XCTAssertEqual(status.additionalResults.map(\.url), [files + "output-1.mp4", files + "output-2.mp4"])
    }
}
