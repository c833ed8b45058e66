import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowTestSupport
import XCTest

/// `num_outputs` (`sampleCount`), `images` (`referenceImages`) and `remix_of` (extension via `video.uri`) at Veo.
final class GoogleVeoAdvancedTests: XCTestCase {
    private var media: TestMedia!
    private var fake: FakeGoogleVeoServer!

    override func setUp() async throws {
        media = try TestMedia()
        fake = try await FakeGoogleVeoServer.start(video: try media.clipData())
    }

    override func tearDown() async throws {
        await fake?.stop()
        media?.cleanUp()
    }

    private func provider() -> GoogleVeoProvider {
        GoogleVeoProvider(settings: fake.settings(), pollAfterMs: 20)
    }

    func testCapabilitiesDeclareTheAdvancedFieldsPerModel() {
        let google = provider()
        let veo31 = google.capabilities(for: "veo-3.1-generate-preview")
        XCTAssertEqual(veo31.maxOutputs, 1, "the Gemini API docs allow one sample for Veo 3.x")
        XCTAssertEqual(veo31.maxReferenceImages, 3)
        XCTAssertTrue(veo31.remix)
        XCTAssertFalse(veo31.watermark)
        XCTAssertEqual(veo31.styles, [])
        XCTAssertEqual(google.capabilities(for: "veo-3.1-fast-generate-preview").maxReferenceImages, 3)
        let lite = google.capabilities(for: "veo-3.1-lite-generate-preview")
        XCTAssertEqual(lite.maxReferenceImages, 0)
        XCTAssertTrue(lite.remix)
        let veo3 = google.capabilities(for: "veo-3.0-generate-001")
        XCTAssertEqual(veo3.maxOutputs, 1)
        XCTAssertEqual(veo3.maxReferenceImages, 0)
        XCTAssertFalse(veo3.remix)
        let veo2 = google.capabilities(for: "veo-2.0-generate-001")
        XCTAssertEqual(veo2.maxOutputs, 2)
        XCTAssertFalse(veo2.remix)
        // Validation refuses what a model does not declare.
        XCTAssertThrowsError(try VideoRequest(prompt: "p", numOutputs: 9).adapted(to: veo31, provider: "google", onUnsupported: .error))
        XCTAssertThrowsError(try VideoRequest(prompt: "p", remixOf: "x").adapted(to: veo3, provider: "google", onUnsupported: .error))
    }

    // MARK: num_outputs

    func testTwoSamplesAtVeo2ComeBackAsResultAndAdditionalResultsWithTheKey() async throws {
        let google = provider()
        let id = try await google.submit(VideoRequest(model: "veo-2.0-generate-001", prompt: "two foxes", seconds: 5,
                                                      numOutputs: 2), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.first?.json?["parameters"], ["sampleCount": 2, "durationSeconds": 5])
        let done = try await waitForJob(google, id)
        XCTAssertEqual(done.state, .succeeded)
        let base = fake.server.baseURL + "/v1beta/files/"
        XCTAssertEqual(done.result, ResultLocation(url: base + "op1:download?alt=media", headers: ["x-goog-api-key": "test-key"]))
        XCTAssertEqual(done.additionalResults,
                       [ResultLocation(url: base + "op1s1:download?alt=media", headers: ["x-goog-api-key": "test-key"])])
    }

    func testTheFakeRefusesTwoSamplesAtVeo3LikeTheAPI() async throws {
        await expectProviderError(.invalidInput, contains: "sampleCount must be between 1 and 1") {
            try await provider().submit(VideoRequest(prompt: "p", numOutputs: 2), idempotencyKey: "k")
        }
        XCTAssertEqual(fake.operationCount, 0)
    }

    func testWorkflowWithTwoOutputsListsBothURLs() async throws {
        let yaml = providerWorkflow("veo-two", provider: "google", generate: [
            "prompt: a red fox", "model: veo-2.0-generate-001", "seconds: 5", "num_outputs: 2",
        ], wiring: .restartable(downloadNamesJob: true))
        let (run, stages) = try await runWorkflow(yaml, with: provider())
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(stages["poll"]?.output?["urls"]?.arrayValue?.count, 2)
        XCTAssertEqual(fake.creates.first?.json?["parameters"]?["sampleCount"], 2)
    }

    // MARK: images

    func testReferenceImagesAreInlineAssetReferences() async throws {
        let one = try media.jpeg("one.jpg")
        let two = try media.jpeg("two.jpg")
        _ = try await provider().submit(VideoRequest(prompt: "the dog from the photos", seconds: 8, referenceImages: [one, two]),
                                        idempotencyKey: "k")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: one)).base64EncodedString()
        let asset: JSONValue = ["image": ["bytesBase64Encoded": .string(bytes), "mimeType": "image/jpeg"], "referenceType": "ASSET"]
        XCTAssertEqual(fake.creates.first?.json?["instances"], [["prompt": "the dog from the photos", "referenceImages": [asset, asset]]])
        XCTAssertEqual(fake.creates.first?.json?["parameters"], ["durationSeconds": 8])
    }

    func testReferenceImagesWithAFirstFrameAreRefusedBeforeAnyCall() async throws {
        let image = try media.jpeg()
        for request in [VideoRequest(prompt: "p", image: image, referenceImages: [image]),
                        VideoRequest(prompt: "p", image: image, lastFrame: image, referenceImages: [image]),
                        VideoRequest(prompt: "p", lastFrame: image, referenceImages: [image]),
                        VideoRequest(prompt: "p", referenceImages: [image], remixOf: "models/veo-3.1-generate-preview/operations/op9"),
                        VideoRequest(prompt: "", referenceImages: [image])] {
            let error = await expectProviderError(.invalidInput) {
                try await provider().submit(request, idempotencyKey: "k")
            }
            XCTAssertEqual(error?.jobCertainlyNotCreated, true)
            let field = request.prompt.isEmpty ? "prompt:" : "images:"
            XCTAssertTrue(error?.message.hasPrefix(field) == true, error?.message ?? "")
            XCTAssertThrowsError(try provider().wireRequest(for: request, idempotencyKey: "k"))
        }
        XCTAssertEqual(fake.requests.count, 0)
    }

    func testTheFakeRefusesReferenceImagesWhereTheAPIDoes() async throws {
        let image = try media.jpeg()
        await expectProviderError(.invalidInput, contains: "referenceImages is not supported by veo-3.0-generate-001") {
            try await provider().submit(VideoRequest(model: "veo-3.0-generate-001", prompt: "p", referenceImages: [image]),
                                        idempotencyKey: "k")
        }
        await expectProviderError(.invalidInput, contains: "referenceImages must hold 1 to 3 images") {
            try await provider().submit(VideoRequest(prompt: "p", referenceImages: Array(repeating: image, count: 4)),
                                        idempotencyKey: "k")
        }
    }

    // MARK: remix_of (extension)

    func testRemixOfExtendsTheEarlierOperationsVideo() async throws {
        let google = provider()
        let earlier = try await google.submit(VideoRequest(prompt: "a fox in the snow"), idempotencyKey: "k1")
        _ = try await waitForJob(google, earlier)
        let pollsBefore = fake.polls.count
        let id = try await google.submit(VideoRequest(prompt: "the fox jumps", resolution: "720p", remixOf: earlier),
                                         idempotencyKey: "k2")
        XCTAssertEqual(id, "models/veo-3.1-generate-preview/operations/op2")
        XCTAssertEqual(fake.polls.count, pollsBefore + 1, "the earlier operation was read for its video")
        XCTAssertEqual(fake.polls.last?.path, "/v1beta/" + earlier)
        let uri = fake.server.baseURL + "/v1beta/files/op1:download?alt=media"
        XCTAssertEqual(fake.creates.last?.json?["instances"], [["prompt": "the fox jumps", "video": ["uri": .string(uri)]]])
        XCTAssertEqual(fake.creates.last?.json?["parameters"], ["resolution": "720p"])
        // The recorded wire request names the operation it extends (it cannot read it).
        let wire = try google.wireRequest(for: VideoRequest(prompt: "p", remixOf: earlier), idempotencyKey: "k")
        XCTAssertEqual(wire["instances"]?.arrayValue?.first?["video"], ["uri": .string("<video of \(earlier)>")])
    }

    func testRemixOfAtMoreThan720pOrOfAnUnfinishedJobIsRefused() async throws {
        let google = provider()
        let earlier = try await google.submit(VideoRequest(prompt: "a fox"), idempotencyKey: "k1")
        let requests = fake.requests.count
        let wide = await expectProviderError(.invalidInput, contains: "needs 720p") {
            try await google.submit(VideoRequest(prompt: "more", resolution: "1080p", remixOf: earlier), idempotencyKey: "k2")
        }
        XCTAssertEqual(wide?.jobCertainlyNotCreated, true)
        XCTAssertEqual(fake.requests.count, requests, "refused before any call")
        let unfinished = await expectProviderError(.invalidInput, contains: "has not finished") {
            try await google.submit(VideoRequest(prompt: "more", remixOf: earlier), idempotencyKey: "k2")
        }
        XCTAssertEqual(unfinished?.jobCertainlyNotCreated, true)
        let unknown = await expectProviderError {
            try await google.submit(VideoRequest(prompt: "more", remixOf: "models/veo-3.1-generate-preview/operations/nope"),
                                    idempotencyKey: "k3")
        }
        XCTAssertEqual(unknown?.jobCertainlyNotCreated, true)
        XCTAssertEqual(fake.creates.count, 1)
    }

    func testTheFakeRefusesAnExtensionOfAVideoItDidNotMake() async throws {
        await expectProviderError(.invalidInput, contains: "video.uri must name a video generated by Veo") {
            try await provider().submit(VideoRequest(prompt: "p", remixOf: "https://example.com/other.mp4"), idempotencyKey: "k")
        }
    }
}
