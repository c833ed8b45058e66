import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowTestSupport
import XCTest

final class GoogleVeoProviderTests: XCTestCase {
    private var media: TestMedia!
    private var fake: FakeGoogleVeoServer!

    override func setUp() async throws {
        media = try TestMedia()
        let clip = try media.clipData()
        fake = try await FakeGoogleVeoServer.start(video: clip)
    }

    override func tearDown() async throws {
        await fake?.stop()
        media?.cleanUp()
    }

    private func provider(keys: [String] = ["test-key"], timeout: Int = 10) -> GoogleVeoProvider {
        GoogleVeoProvider(settings: fake.settings(keys: keys, timeout: timeout), pollAfterMs: 20)
    }

    /// generate → poll → download (with the key) → transcode, as a workflow naming `provider: google`.
    private func workflow(image: String? = nil, maxWait: Double = 20) -> String {
        providerWorkflow("google-veo-test", provider: "google", generate: [
            "prompt: a red fox runs through fresh snow", "seconds: 4", "aspect_ratio: \"16:9\"", "resolution: 720p",
        ], image: image, maxWait: maxWait, attempts: 2, retryIntervals: ("50ms", "100ms"),
        wiring: .restartable(downloadNamesJob: true))
    }

    private func run(_ yaml: String) async throws -> (run: RunRecord, stages: [String: StageRecord]) {
        try await runWorkflow(yaml, with: provider())
    }

    // MARK: Wire format

    func testTextToVideoSendsTheGeminiShapeWithTheKeyHeader() async throws {
        let request = VideoRequest(model: "veo-3.1-fast-generate-preview", prompt: "a lighthouse at dusk", seconds: 6,
                                   aspectRatio: "9:16", resolution: "1080p", negativePrompt: "text, watermark",
                                   extraBody: ["personGeneration": "allow_adult", "enhancePrompt": true])
        let id = try await provider().submit(request, idempotencyKey: "vf-run-generate")
        XCTAssertEqual(id, "models/veo-3.1-fast-generate-preview/operations/op1")

        let create = try XCTUnwrap(fake.creates.first)
        XCTAssertEqual(create.path, "/v1beta/models/veo-3.1-fast-generate-preview:predictLongRunning")
        XCTAssertEqual(create.headers["x-goog-api-key"], "test-key")
        XCTAssertNil(create.headers["authorization"])
        XCTAssertEqual(create.headers["content-type"], "application/json")
        let body = try XCTUnwrap(create.json)
        XCTAssertEqual(body["instances"], [["prompt": "a lighthouse at dusk"]])
        XCTAssertEqual(body["parameters"], [
            "durationSeconds": 6, "aspectRatio": "9:16", "resolution": "1080p", "negativePrompt": "text, watermark",
            "personGeneration": "allow_adult", "enhancePrompt": true,
        ])
    }

    func testAnExactSizeBecomesAspectRatioAndResolution() throws {
        let wire = try provider().wireRequest(for: VideoRequest(prompt: "p", size: "3840x2160"), idempotencyKey: "k")
        XCTAssertEqual(wire["parameters"], ["aspectRatio": "16:9", "resolution": "4k"])
        let veo2 = try provider().wireRequest(for: VideoRequest(model: "veo-2.0-generate-001", prompt: "p", seconds: 5,
                                                                 size: "720x1280"), idempotencyKey: "k")
        XCTAssertEqual(veo2["parameters"], ["durationSeconds": 5, "aspectRatio": "9:16"], "Veo 2 takes no resolution")
    }

    func testImageToVideoSendsFirstFrameLastFrameAndReferencesInline() async throws {
        let first = try media.jpeg("first.jpg")
        let last = try media.jpeg("last.jpg")
        let reference = try media.jpeg("reference.jpg")
        let request = VideoRequest(prompt: "the scene comes alive", seconds: 8, image: first, lastFrame: last)
        _ = try await provider().submit(request, idempotencyKey: "vf-run-generate")
        let instance = try XCTUnwrap(fake.creates.first?.json?["instances"]?.arrayValue?.first)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first)).base64EncodedString()
        XCTAssertEqual(instance["image"], ["bytesBase64Encoded": .string(firstBytes), "mimeType": "image/jpeg"])
        let lastBytes = try Data(contentsOf: URL(fileURLWithPath: last)).base64EncodedString()
        XCTAssertEqual(instance["lastFrame"]?["bytesBase64Encoded"]?.stringValue, lastBytes)
        // `extra_body.referenceImages` (the API refuses them beside a first frame, so only recorded here).
        let referenced = VideoRequest(prompt: "p", extraBody: ["referenceImages": [.string(reference),
                                                                                ["image": ["gcsUri": "x"], "referenceType": "asset"]]])
        let wired = try provider().wireRequest(for: referenced, idempotencyKey: "k")
        let references = try XCTUnwrap(wired["instances"]?.arrayValue?.first?["referenceImages"]?.arrayValue)
        XCTAssertEqual(references.map { $0["referenceType"] }, ["ASSET", "ASSET"], "upper-case, as the SDK sends it")
        XCTAssertEqual(references.first?["image"]?["mimeType"], "image/jpeg")
        XCTAssertNil(wired["parameters"]?["referenceImages"])

        // What is recorded on the attempt holds no image bytes.
        let recorded = WireRedaction.redact(try provider().wireRequest(for: request, idempotencyKey: "k")).canonicalJSON
        XCTAssertFalse(recorded.contains(firstBytes.prefix(600)))
        XCTAssertTrue(recorded.contains("base64 chars"))
    }

    func testCapabilitiesDescribeEachModel() {
        let google = provider()
        XCTAssertEqual(google.name, "google")
        XCTAssertEqual(google.capabilities.models.first, "veo-3.1-generate-preview")
        XCTAssertEqual(google.capabilities.allowedSeconds, [4, 6, 8])
        XCTAssertTrue(google.capabilities.lastFrame)
        XCTAssertEqual(google.capabilities.resolutions, ["720p", "1080p", "4k"])
        XCTAssertFalse(google.capabilities.seed, "python-genai refuses seed in Gemini mode")
        let veo2 = google.capabilities(for: "veo-2.0-generate-001")
        XCTAssertEqual(veo2.allowedSeconds, [5, 6, 7, 8])
        XCTAssertEqual(veo2.resolutions, ["720p"])
        XCTAssertFalse(veo2.lastFrame)
        XCTAssertFalse(veo2.audio)
        XCTAssertEqual(google.features, ProviderFeatures(authenticatedDownload: true))
    }

    // MARK: Whole workflow

    func testWorkflowGeneratesPollsDownloadsWithTheKeyAndTranscodes() async throws {
        let image = try media.jpeg()
        let (run, stages) = try await run(workflow(image: image))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.creates.count, 1)
        XCTAssertEqual(fake.creates.first?.json?["instances"]?.arrayValue?.first?["image"]?["mimeType"], "image/jpeg")
        XCTAssertEqual(stages["generate"]?.output?["job_id"], "models/veo-3.1-generate-preview/operations/op1")
        XCTAssertGreaterThanOrEqual(fake.polls.count, 3, "two running answers, then done")
        XCTAssertTrue(fake.polls.allSatisfy { $0.path == "/v1beta/models/veo-3.1-generate-preview/operations/op1" })
        let download = try XCTUnwrap(fake.downloads.last)
        XCTAssertEqual(download.headers["x-goog-api-key"], "test-key")
        XCTAssertEqual(download.query["alt"], "media")
        XCTAssertEqual(fake.requests.filter { $0.path.hasPrefix("/media/") }.count, 1, "the redirect was followed")
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertNotNil(stages["transcode"]?.output?["file"]?.stringValue)
        XCTAssertFalse(stages["poll"]?.output?.canonicalJSON.contains("test-key") ?? true, "the key is not in outputs")
    }

    func testOperationErrorFailsThePollWithGooglesReason() async throws {
        fake.update { $0.outcome = .error(code: 13, message: "Video generation failed due to an internal error.", status: "INTERNAL") }
        try await assertPollFails(workflow(), with: provider(), kind: .providerFailed,
                                  contains: "Video generation failed due to an internal error. (INTERNAL)")
        XCTAssertEqual(fake.creates.count, 1)
    }

    func testSafetyFilteredOperationIsRejectedContent() async throws {
        let reason = "Your prompt may violate our usage guidelines. The video was blocked by the safety filter."
        fake.update { $0.outcome = .filtered(reasons: [reason]) }
        let (run, stages) = try await run(workflow())
        XCTAssertEqual(run.status, .failed)
        let error = try XCTUnwrap(stages["poll"]?.error)
        XCTAssertEqual(error.kind, .rejectedContent)
        XCTAssertTrue(error.message.contains(reason), error.message)
        XCTAssertEqual(stages["poll"]?.attempts, 1, "content refusals are not retried")
    }

    func testAJobStuckRunningTimesOutAtMaxWait() async throws {
        fake.update { $0.outcome = .never }
        try await assertPollTimesOutAtMaxWait(workflow(maxWait: 0.4), with: provider())
        XCTAssertEqual(fake.creates.count, 1, "polling again never re-submits")
    }

    func testABrokenPollAnswerIsPolledAgain() async throws {
        fake.update { $0.pollFailures = [.text("{\"name\": \"models/veo", status: 200, contentType: "application/json")] }
        let (run, _) = try await run(workflow())
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.creates.count, 1)
    }

    // MARK: Errors and retries

    func testA429WithRetryInfoIsRetriedAfterTheDelay() async throws {
        fake.update { $0.createFailures = [FakeGoogleVeoServer.quotaExceeded(retryDelay: "0.3s")] }
        let started = Date()
        let id = try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3)
        XCTAssertEqual(id, "models/veo-3.1-generate-preview/operations/op1")
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.operationCount, 1)
    }

    func testA500IsRetriedAndCreatesOneJob() async throws {
        fake.update { $0.createFailures = [FakeGoogleVeoServer.error(500, "Internal error encountered.", "INTERNAL")] }
        let id = try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertEqual(id, "models/veo-3.1-generate-preview/operations/op1")
        XCTAssertEqual(fake.creates.count, 2)
        XCTAssertEqual(fake.operationCount, 1)
    }

    func testATimeoutAfterSubmitNeverCreatesASecondJob() async throws {
        fake.update { $0.createDelay = .seconds(3) }
        try await assertGenerateFails(workflow(), with: provider(timeout: 1),
                                      kind: .providerFailed, "no client reference to reconcile with")
        XCTAssertEqual(fake.creates.count, 1, "a create whose answer was lost is not repeated")
    }

    func testAMalformedCreateAnswerIsNotRepeated() async throws {
        fake.update { $0.createFailures = [.text("<html>upstream hiccup</html>", status: 200, contentType: "text/html")] }
        let error = await expectProviderError(.transient) {
            try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, false, "the job may exist")
        XCTAssertEqual(fake.creates.count, 1)
    }

    func testAnInvalidRequestIsNotRetried() async throws {
        fake.update { $0.createFailures = [FakeGoogleVeoServer.error(400, "aspectRatio must be 16:9 or 9:16", "INVALID_ARGUMENT")] }
        let error = await expectProviderError(.invalidInput, contains: "aspectRatio must be 16:9 or 9:16 (INVALID_ARGUMENT)") {
            try await provider().submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        XCTAssertEqual(fake.creates.count, 1)
    }

    func testAnInvalidKeyIsBenchedAndTheNextKeyIsUsed() async throws {
        let google = provider(keys: ["bad-key", "test-key"])
        let id = try await google.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.map { $0.headers["x-goog-api-key"] }, ["bad-key", "test-key"])
        for _ in 0..<3 { _ = try await google.status(of: id) }
        XCTAssertEqual(Set(fake.polls.map { $0.headers["x-goog-api-key"] }), ["test-key"], "the refused key stays benched")
        let location = try await waitForJob(google, id).result
        XCTAssertEqual(location?.headers, ["x-goog-api-key": "test-key"])
    }

    func testADailyQuotaBenchesTheKeyAndUsesTheNextAtOnce() async throws {
        fake.update {
            $0.validKeys = ["key-a", "key-b"]
            $0.createFailures = [FakeGoogleVeoServer.quotaExceeded(retryDelay: "3600s", quotaID: "GenerateRequestsPerDayPerProjectPerModel")]
        }
        let google = provider(keys: ["key-a", "key-b"])
        _ = try await google.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.map { $0.headers["x-goog-api-key"] }, ["key-a", "key-b"])
    }

    func testCancelIsNotSupported() async throws {
        let google = provider()
        XCTAssertFalse(google.features.cancel)
        let id = try await google.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k")
        await expectProviderError(contains: "cannot cancel") { try await google.cancel(id) }
        XCTAssertFalse(google.features.reconcile)
        XCTAssertFalse(google.features.callbacks)
    }

    func testTestConnectionListsModelsWithTheKey() async throws {
        try await provider().testConnection()
        let list = try XCTUnwrap(fake.requests.last)
        XCTAssertEqual(list.path, "/v1beta/models")
        XCTAssertEqual(list.headers["x-goog-api-key"], "test-key")
        await expectProviderError(.auth, contains: "API key not valid", "expected an auth error") {
            try await provider(keys: ["wrong"]).testConnection()
        }
    }
}
