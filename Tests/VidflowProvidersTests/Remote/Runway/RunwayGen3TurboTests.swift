import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// Gen-3 Alpha Turbo beside the gen4 models: image-to-video only, 5 or 10 s, `1280:768` / `768:1280`.
final class RunwayGen3TurboTests: XCTestCase {
    private let capabilities = RunwayProvider(settings: ProviderSettings(apiKeys: ["k"])).capabilities(for: "gen3a_turbo")

    private func refusal(_ request: VideoRequest, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try request.adapted(to: capabilities, provider: "runway", onUnsupported: .error)
            XCTFail("expected a refusal", file: file, line: line)
        } catch {
            return error.message
        }
        return ""
    }

    func testItsLimitsAreThoseRunwayPublishes() {
        XCTAssertTrue(capabilities.models.contains("gen4.5") && capabilities.models.first == "gen3a_turbo")
        XCTAssertEqual(capabilities.allowedSeconds, [5, 10])
        XCTAssertEqual(capabilities.defaultSeconds, 10)
        XCTAssertEqual(capabilities.sizes, ["1280x768", "768x1280"])
        XCTAssertEqual(capabilities.aspectRatios, ["16:9", "9:16"])
        XCTAssertFalse(capabilities.textToVideo)
        XCTAssertTrue(capabilities.lastFrame)
        XCTAssertEqual(capabilities.maxPromptLength, 512)
    }

    func testABadRatioDurationOrMissingImageIsRefusedNamingTheField() throws {
        let image = "/tmp/frame.jpg"
        XCTAssertTrue(refusal(VideoRequest(model: "gen3a_turbo", prompt: "x", seconds: 7, image: image))
            .hasPrefix("seconds: 7 is not supported by gen3a_turbo at runway (allowed: 5, 10)"))
        XCTAssertTrue(refusal(VideoRequest(model: "gen3a_turbo", prompt: "x", aspectRatio: "1:1", image: image))
            .hasPrefix("aspect_ratio: 1:1 is not supported by gen3a_turbo at runway (allowed: 16:9, 9:16)"))
        XCTAssertTrue(refusal(VideoRequest(model: "gen3a_turbo", prompt: "x", size: "1280x720", image: image))
            .hasPrefix("size: 1280x720 is not supported by gen3a_turbo at runway (allowed: 1280x768, 768x1280)"))
        XCTAssertEqual(refusal(VideoRequest(model: "gen3a_turbo", prompt: "a prompt alone")),
                       "image: gen3a_turbo at runway needs an image", "image-to-video only, even with a prompt")
        XCTAssertTrue(refusal(VideoRequest(model: "gen3a_turbo", prompt: String(repeating: "a", count: 513), image: image))
            .hasPrefix("prompt: 513 characters"))
    }

    func testASubmitSendsTheModelsRatioAndDuration() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeRunwayServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let runway = RunwayProvider(settings: ProviderSettings(apiKeys: ["key_good"], baseURL: fake.baseURL), pollAfterMs: 20)
        let request = try VideoRequest(model: "gen3a_turbo", prompt: "a kite", aspectRatio: "9:16", image: try media.jpeg(),
                                       lastFrame: try media.jpeg("last.jpg"))
            .adapted(to: capabilities, provider: "runway", onUnsupported: .error).request
        _ = try await runway.submit(request, idempotencyKey: "k1")
        let body = try XCTUnwrap(fake.createRequests.first?.json)
        XCTAssertEqual(fake.createRequests.first?.path, "/v1/image_to_video")
        XCTAssertEqual(body["model"], "gen3a_turbo")
        XCTAssertEqual(body["ratio"], "768:1280")
        XCTAssertEqual(body["duration"], 10, "Runway's default length for the model")
        XCTAssertEqual(body["promptImage"]?.arrayValue?.map { $0["position"] }, ["first", "last"])
        XCTAssertEqual(fake.tasksCreated, 1, "the fake (speaking Runway's rules) accepted it")
    }
}
