import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowTestSupport
import XCTest

final class YunwuProviderTests: XCTestCase {
    private var media: TestMedia!
    private var fake: FakeYunwuServer!

    override func setUp() async throws {
        media = try TestMedia()
        let clip = try media.clipData()
        fake = try await FakeYunwuServer.start(video: clip)
    }

    override func tearDown() async throws {
        await fake?.stop()
        media?.cleanUp()
    }

    private func provider(keys: [String] = ["test-key"], timeout: Int = 10) -> YunwuProvider {
        YunwuProvider(settings: fake.settings(keys: keys, timeout: timeout), pollAfterMs: 20)
    }

    /// generate → poll → download → transcode, as a workflow naming `provider: yunwu`.
    private func workflow(model: String = "veo3.1-components", image: String? = nil, maxWait: Double = 20) -> String {
        providerWorkflow("yunwu-test", provider: "yunwu", generate: [
            "model: \(model)", "prompt: a paper boat drifts down a rainy street", "aspect_ratio: \"16:9\"",
        ], image: image, maxWait: maxWait, attempts: 2, retryIntervals: ("50ms", "100ms"),
        wiring: .restartable(downloadNamesJob: false))
    }

    private func run(_ yaml: String) async throws -> (run: RunRecord, stages: [String: StageRecord]) {
        try await runWorkflow(yaml, with: provider())
    }

    // MARK: Wire format

    func testTextToVideoSendsTheUnifiedFormatWithBearerAuth() async throws {
        let request = VideoRequest(model: "veo3.1-fast", prompt: "a lighthouse at dusk", aspectRatio: "9:16",
                                   extraBody: ["enhance_prompt": true, "enable_upsample": false])
        let id = try await provider().submit(request, idempotencyKey: "vf-run-generate")
        XCTAssertTrue(id.hasPrefix("veo3.1-fast:"), id)
        let create = try XCTUnwrap(fake.creates.first)
        XCTAssertEqual(create.headers["authorization"], "Bearer test-key")
        XCTAssertEqual(create.headers["content-type"], "application/json")
        XCTAssertEqual(create.json, ["model": "veo3.1-fast", "prompt": "a lighthouse at dusk", "aspect_ratio": "9:16",
                                     "enhance_prompt": true, "enable_upsample": false])
    }

    func testSoraJimengAndGrokFieldsFollowTheirFamilies() throws {
        let yunwu = provider()
        let sora = try yunwu.wireRequest(for: VideoRequest(model: "sora-2", prompt: "p", seconds: 15, aspectRatio: "9:16",
                                                           resolution: "1080p", extraBody: ["watermark": false]),
                                         idempotencyKey: "k")
        XCTAssertEqual(sora, ["model": "sora-2", "prompt": "p", "orientation": "portrait", "size": "large", "duration": 15,
                              "watermark": false])
        let jimeng = try yunwu.wireRequest(for: VideoRequest(model: "jimeng-video-3.0", prompt: "p", size: "720x1280"),
                                           idempotencyKey: "k")
        XCTAssertEqual(jimeng, ["model": "jimeng-video-3.0", "prompt": "p", "aspect_ratio": "9:16", "size": "720x1280"])
        let jimeng1080 = try yunwu.wireRequest(for: VideoRequest(model: "jimeng-video-3.0", prompt: "p", aspectRatio: "21:9",
                                                                 resolution: "1080p"), idempotencyKey: "k")
        XCTAssertEqual(jimeng1080["size"], "1080P")
        XCTAssertEqual(jimeng1080["aspect_ratio"], "21:9")
        let grok = try yunwu.wireRequest(for: VideoRequest(model: "grok-video-3", prompt: "p", aspectRatio: "3:2",
                                                           resolution: "720p"), idempotencyKey: "k")
        XCTAssertEqual(grok, ["model": "grok-video-3", "prompt": "p", "aspect_ratio": "3:2", "size": "720P"])
    }

    func testImageToVideoSendsFirstAndLastFramesAsDataURIs() async throws {
        let first = try media.jpeg("first.jpg")
        let last = try media.jpeg("last.jpg")
        let request = VideoRequest(model: "veo2-fast-frames", prompt: "morph", image: first, lastFrame: last)
        _ = try await provider().submit(request, idempotencyKey: "k")
        let images = try XCTUnwrap(fake.creates.first?.json?["images"]?.arrayValue)
        let firstURI = "data:image/jpeg;base64," + (try Data(contentsOf: URL(fileURLWithPath: first)).base64EncodedString())
        let lastURI = "data:image/jpeg;base64," + (try Data(contentsOf: URL(fileURLWithPath: last)).base64EncodedString())
        XCTAssertEqual(images, [.string(firstURI), .string(lastURI)])
        let recorded = WireRedaction.redact(try provider().wireRequest(for: request, idempotencyKey: "k"))
        XCTAssertEqual(recorded["images"]?.arrayValue?.first?.stringValue?.hasPrefix("data:image/jpeg;base64,<"), true)
    }

    func testCapabilitiesFollowTheModelFamily() {
        let yunwu = provider()
        XCTAssertEqual(yunwu.name, "yunwu")
        XCTAssertEqual(yunwu.capabilities.models.first, "veo3.1-fast")
        XCTAssertTrue(yunwu.capabilities.anyModel, "the relay hosts more models than listed")
        XCTAssertFalse(yunwu.capabilities(for: "veo3").imageInput, "plain veo3 is text-only")
        XCTAssertTrue(yunwu.capabilities(for: "veo3-frames").imageInput)
        XCTAssertTrue(yunwu.capabilities(for: "veo2-fast-frames").lastFrame)
        XCTAssertEqual(yunwu.capabilities(for: "sora-2").allowedSeconds, [10, 15])
        XCTAssertEqual(yunwu.capabilities(for: "grok-video-3").aspectRatios, ["2:3", "3:2", "1:1"])
        XCTAssertEqual(yunwu.features, ProviderFeatures())
    }

    // MARK: Whole workflow

    func testWorkflowKeepsThePrefixedIdVerbatimAndDownloadsTheVideo() async throws {
        let image = try media.jpeg()
        let (run, stages) = try await run(workflow(image: image))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.creates.count, 1)
        XCTAssertEqual(fake.creates.first?.json?["images"]?.arrayValue?.count, 1)
        let id = try XCTUnwrap(stages["generate"]?.output?["job_id"]?.stringValue)
        XCTAssertTrue(id.hasPrefix("veo3.1-components:"), id)
        XCTAssertGreaterThanOrEqual(fake.queries.count, 3)
        XCTAssertTrue(fake.queries.allSatisfy { $0.query["id"] == id && $0.headers["authorization"] == "Bearer test-key" })
        XCTAssertEqual(fake.files.count, 1)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertNotNil(stages["transcode"]?.output?["file"]?.stringValue)
    }

    func testUpsampledVeoJobsWaitForTheFinalVideo() async throws {
        let yunwu = provider()
        let plain = try await yunwu.submit(VideoRequest(model: "veo3.1", prompt: "p"), idempotencyKey: "a")
        let plainResult = try await waitForJob(yunwu, plain)
        XCTAssertEqual(plainResult.state, .succeeded)
        XCTAssertFalse(plainResult.result?.url.hasSuffix("-4k.mp4") ?? true)

        let upsampled = try await yunwu.submit(VideoRequest(model: "veo3.1", prompt: "p", extraBody: ["enable_upsample": true]),
                                               idempotencyKey: "b")
        let final = try await waitForJob(yunwu, upsampled)
        XCTAssertEqual(final.state, .succeeded)
        XCTAssertTrue(final.result?.url.hasSuffix("-4k.mp4") ?? false, "video_generation_completed is not the end")
    }

    func testAFailedTaskSurfacesItsReason() async throws {
        fake.update { $0.outcome = .failed(status: "video_generation_failed", reason: "upstream error: quota of the channel exhausted") }
        try await assertPollFails(workflow(), with: provider(), kind: .providerFailed,
                                  contains: "upstream error: quota of the channel exhausted")
    }

    func testAModerationFailureIsRejectedContent() async throws {
        fake.update { $0.outcome = .failed(status: "failed", reason: "prompt contains sensitive content (审核未通过)") }
        let (run, stages) = try await run(workflow(model: "jimeng-video-3.0"))
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(stages["poll"]?.error?.kind, .rejectedContent)
        XCTAssertEqual(stages["poll"]?.attempts, 1)
    }

    func testAJobStuckRunningTimesOutAtMaxWait() async throws {
        fake.update { $0.outcome = .never }
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.4), with: provider())
        XCTAssertEqual(fake.creates.count, 1)
    }

    // MARK: Errors and retries

    func testA429WithRetryAfterIsRetried() async throws {
        fake.update { $0.createFailures = [FakeYunwuServer.error(429, "当前分组上游负载已饱和，请稍后再试", headers: [("Retry-After", "1")])] }
        let started = Date()
        let id = try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1)
        XCTAssertTrue(id.hasPrefix("veo3.1-fast:"))
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.taskCount, 1)
    }

    func testA500IsRetriedAndCreatesOneTask() async throws {
        fake.update { $0.createFailures = [FakeYunwuServer.error(500, "do request failed", code: "do_request_failed")] }
        _ = try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.taskCount, 1)
    }

    func testATimeoutAfterSubmitNeverCreatesASecondTask() async throws {
        fake.update { $0.createDelay = .seconds(3) }
        try await assertGenerateFails(workflow(), with: provider(timeout: 1), kind: .providerFailed)
        XCTAssertEqual(fake.creates.count, 1, "a create whose answer was lost is not repeated")
    }

    func testAMalformedCreateAnswerIsNotRepeated() async throws {
        fake.update { $0.createFailures = [.text("<html>502 Bad Gateway</html>", status: 200, contentType: "text/html")] }
        let error = await expectProviderError(.transient) {
            try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false)
        XCTAssertEqual(fake.creates.count, 1)
    }

    func testARefusedKeyIsBenchedAndTheNextKeyIsUsed() async throws {
        let yunwu = provider(keys: ["bad-key", "test-key"])
        let id = try await yunwu.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.map { $0.headers["authorization"] }, ["Bearer bad-key", "Bearer test-key"])
        for _ in 0..<3 { _ = try await yunwu.status(of: id) }
        XCTAssertEqual(Set(fake.queries.map { $0.headers["authorization"] }), ["Bearer test-key"])
    }

    func testAnExhaustedQuotaBenchesTheKey() async throws {
        fake.update {
            $0.validKeys = ["key-a", "key-b"]
            $0.brokeKeys = ["key-a"]
        }
        let yunwu = provider(keys: ["key-a", "key-b"])
        _ = try await yunwu.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        _ = try await yunwu.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k2")
        XCTAssertEqual(fake.creates.map { $0.headers["authorization"] }, ["Bearer key-a", "Bearer key-b", "Bearer key-b"])
    }

    func testCancelIsNotSupportedAndConnectionIsTestedForFree() async throws {
        let yunwu = provider()
        XCTAssertFalse(yunwu.features.cancel)
        await expectProviderError(contains: "no way to cancel") { try await yunwu.cancel("veo3.1-fast:abc") }
        try await yunwu.testConnection()
        XCTAssertEqual(fake.requests.last?.path, "/v1/models")
        XCTAssertEqual(fake.creates.count, 0)
        await expectProviderError(.auth, "expected an auth error") { try await provider(keys: ["wrong"]).testConnection() }
    }

    // MARK: Advanced fields

    func testComponentsModelsTakeReferenceImagesAfterTheFirstFrame() async throws {
        let first = try media.jpeg("first.jpg")
        let reference = try media.jpeg("reference.jpg")
        func uri(_ path: String) throws -> JSONValue {
            .string("data:image/jpeg;base64," + (try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()))
        }
        _ = try await provider().submit(VideoRequest(model: "veo3.1-components", prompt: "compose", image: first,
                                                     referenceImages: [reference, reference]), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.first?.json, ["model": "veo3.1-components", "prompt": "compose",
                                                  "images": [try uri(first), try uri(reference), try uri(reference)]])
        XCTAssertEqual(provider().capabilities(for: "veo2-fast-components").maxReferenceImages, 3)
        XCTAssertEqual(provider().capabilities(for: "veo3.1-fast").maxReferenceImages, 0)
        XCTAssertEqual(provider().capabilities(for: "sora-2").maxReferenceImages, 0)
        // Four images in all, or references for a model without them, are refused before any call.
        let three = [reference, reference, reference]
        for request in [VideoRequest(model: "veo3.1-components", prompt: "p", image: first, referenceImages: three),
                        VideoRequest(model: "veo3.1-fast", prompt: "p", referenceImages: [reference])] {
            let error = await expectProviderError(.invalidInput, contains: "images:") {
                try await provider().submit(request, idempotencyKey: "k")
            }
            XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        }
        XCTAssertEqual(fake.creates.count, 1)
        // The fake refuses too many images as the relay does (sent through extra_body, past the adapter's check).
        await expectProviderError(.invalidInput, contains: "accepts at most 1 images") {
            try await provider().submit(VideoRequest(model: "veo3.1-fast", prompt: "p", extraBody: ["images": ["a", "b"]]),
                                        idempotencyKey: "k")
        }
    }

    func testWatermarkIsASoraFieldOnly() async throws {
        _ = try await provider().submit(VideoRequest(model: "sora-2", prompt: "p", seconds: 10, watermark: false), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.first?.json, ["model": "sora-2", "prompt": "p", "duration": 10, "watermark": false])
        XCTAssertTrue(provider().capabilities(for: "sora-2-pro").watermark)
        let veo = provider().capabilities(for: "veo3.1-fast")
        XCTAssertFalse(veo.watermark)
        XCTAssertEqual(veo.maxOutputs, 1)
        XCTAssertFalse(veo.remix)
        XCTAssertThrowsError(try VideoRequest(prompt: "p", watermark: true).adapted(to: veo, provider: "yunwu", onUnsupported: .error))
        await expectProviderError(.invalidInput, contains: "watermark must be a boolean") {
            try await provider().submit(VideoRequest(model: "sora-2", prompt: "p", extraBody: ["watermark": "no"]), idempotencyKey: "k")
        }
    }
}
