import Foundation
import VidflowCore
import VidflowProviders
import VidflowTestSupport
import XCTest

/// The Veo model ids clients still send resolve to the current Gemini API ids; retired ids are refused
/// naming their replacements.
final class GoogleVeoModelIDTests: XCTestCase {
    private var fake: FakeGoogleVeoServer!
    private var media: TestMedia!

    override func setUp() async throws {
        media = try TestMedia()
        fake = try await FakeGoogleVeoServer.start(video: try media.clipData())
    }

    override func tearDown() async throws {
        await fake?.stop()
        media?.cleanUp()
    }

    private func provider() -> GoogleVeoProvider {
        GoogleVeoProvider(settings: fake.settings(keys: ["test-key"], timeout: 10), pollAfterMs: 20)
    }

    /// Validates like `video.generate` does, then submits.
    private func submitted(_ request: VideoRequest) async throws -> (model: String?, path: String?, warnings: [String]) {
        let veo = provider()
        let adapted = try request.adapted(to: veo.capabilities(forModel: request.model), provider: "google", onUnsupported: .error)
        _ = try await veo.submit(adapted.request, idempotencyKey: "k")
        return (adapted.request.model, fake.creates.last?.path, adapted.warnings)
    }

    func testClientModelIdsResolveToTheCurrentIds() async throws {
        let expected = ["veo-3-fast-preview": "veo-3.0-fast-generate-001", "veo-3-generate-preview": "veo-3.0-generate-001",
                        "veo-2": "veo-2.0-generate-001"]
        for (alias, current) in expected.sorted(by: { $0.key < $1.key }) {
            let result = try await submitted(VideoRequest(model: alias, prompt: "a fox", seconds: alias == "veo-2" ? 5 : 8))
            XCTAssertEqual(result.model, current, alias)
            XCTAssertEqual(result.path, "/v1beta/models/\(current):predictLongRunning", alias)
            XCTAssertTrue(result.warnings.contains { $0.contains(current) }, "the change is reported: \(result.warnings)")
        }
    }

    func testAnAliasIsCheckedAgainstTheLimitsOfTheModelItStandsFor() {
        // Veo 2 allows 5–8 s; 4 s (a Veo 3 length) is refused for `veo-2`.
        XCTAssertThrowsError(try VideoRequest(model: "veo-2", prompt: "x", seconds: 4)
            .adapted(to: provider().capabilities(forModel: "veo-2"), provider: "google", onUnsupported: .error)) { error in
            XCTAssertTrue("\(error)".contains("5, 6, 7, 8"), "\(error)")
        }
    }

    func testARetiredIdIsRefusedNamingTheReplacements() async throws {
        do {
            _ = try await submitted(VideoRequest(model: "veo-3.0-generate-preview", prompt: "a fox"))
            XCTFail("a retired model was accepted")
        } catch let error as ProviderError {
            XCTAssertEqual(error.kind, .invalidInput)
            XCTAssertTrue(error.message.contains("veo-3.0-generate-001"), error.message)
            XCTAssertTrue(error.message.contains("veo-3.1-generate-preview"), error.message)
        }
        XCTAssertTrue(fake.creates.isEmpty, "nothing was sent to Google")
    }
}
