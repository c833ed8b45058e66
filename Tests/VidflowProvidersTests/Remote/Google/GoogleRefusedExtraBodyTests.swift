import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// `extra_body` keys the Gemini API refuses (`enhance_prompt`, `enhancePrompt`) are dropped by the generate stage's
/// check with a warning for its run log, under either `on_unsupported` policy; Vertex AI keeps them.
final class GoogleRefusedExtraBodyTests: XCTestCase {
    func testEnhancePromptIsDroppedWithAWarningForGoogleAndKeptForVertex() throws {
        let google = GoogleVeoProvider(settings: ProviderSettings(apiKeys: ["k"])).capabilities(for: "veo-3.1-generate-preview")
        let request = VideoRequest(prompt: "a lighthouse", extraBody: ["enhance_prompt": true, "enhancePrompt": true,
                                                                     "personGeneration": "allow_adult"])
        for policy in UnsupportedPolicy.allCases {
            let adapted = try request.adapted(to: google, provider: "google", onUnsupported: policy)
            XCTAssertEqual(adapted.request.extraBody, ["personGeneration": "allow_adult"], "\(policy)")
            XCTAssertEqual(adapted.warnings.filter { $0.contains("extra_body.enhance") }.count, 2, "\(adapted.warnings)")
            let wire = try GoogleVeoProvider(settings: ProviderSettings(apiKeys: ["k"]))
                .wireRequest(for: adapted.request, idempotencyKey: "k")
            XCTAssertNil(wire["parameters"]?["enhance_prompt"])
            XCTAssertNil(wire["parameters"]?["enhancePrompt"])
        }
        let only = try VideoRequest(prompt: "p", extraBody: ["enhance_prompt": false]).adapted(to: google, provider: "google")
        XCTAssertNil(only.request.extraBody, "nothing left to send")

        let vertex = VertexVeoProvider(settings: ProviderSettings(apiKeys: ["t"], options: ["project": "p"]))
            .capabilities(for: "veo-3.1-generate-001")
        let kept = try request.adapted(to: vertex, provider: "vertex", onUnsupported: .error)
        XCTAssertEqual(kept.request.extraBody?["enhance_prompt"], true)
        XCTAssertTrue(kept.warnings.isEmpty, "\(kept.warnings)")
    }
}
