import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// The price table, estimates for N videos, the operator's overrides, and the `num_outputs` bound.
final class ProviderPricingTests: XCTestCase {
    func testAnEstimateCountsEveryVideoAtThePublishedRate() throws {
        let pricing = ProviderPricing.list
        let runway = try XCTUnwrap(pricing.estimate(provider: "runway", model: "gen4_turbo", seconds: 10, count: 3))
        XCTAssertEqual(runway.amount, 1.5, accuracy: 1e-9, "0.05 USD/s × 10 s × 3")
        XCTAssertEqual(runway.perVideo, 0.5, accuracy: 1e-9)
        XCTAssertEqual(runway.videos, 3)
        XCTAssertEqual(runway.currency, "USD")
        XCTAssertEqual(runway.basis, "0.05 USD/s × 10 s × 3 videos")
        let pro = try XCTUnwrap(pricing.estimate(provider: "openai", model: "sora-2-pro-2025-10-06", seconds: 8, size: "1792x1024"))
        XCTAssertEqual(pro.amount, 4.0, accuracy: 1e-9, "a dated snapshot costs what its model costs, at its size")
        let sora = try XCTUnwrap(pricing.estimate(provider: "openai", model: "sora-2", seconds: 4, count: 2))
        XCTAssertEqual(sora.amount, 0.8, accuracy: 1e-9, "sora-2 is not priced as sora-2-pro")
        let wan = try XCTUnwrap(pricing.estimate(provider: "dashscope", model: "wan2.6-t2v", seconds: 5, resolution: "1080P"))
        XCTAssertEqual(wan.amount, 0.75, accuracy: 1e-9, "resolution picks the rate")
        XCTAssertEqual(pricing.estimate(provider: "local", model: "local-v1", seconds: 4, count: 4)?.amount, 0)
        XCTAssertNil(pricing.estimate(provider: "yunwu", model: "veo3.1", seconds: 8), "an unknown price is no estimate, not 0")
        XCTAssertNil(pricing.price(provider: "runway", model: "happyhorse_1_0"))
    }

    func testEveryPricedModelIsOneTheProviderOffers() {
        let registry = ProviderCatalog.registry(dataDirectory: NSTemporaryDirectory() + "vidflow-pricing-\(UUID().uuidString)",
                                                environment: [:])
        var offered: Set<String> = []
        for name in registry.names {
            for model in registry.provider(name)?.capabilities.models ?? [] { offered.insert("\(name)/\(model)") }
        }
        for key in ProviderPricing.list.prices.keys {
            let matches = key.hasSuffix("*") ? offered.contains { $0.hasPrefix(key.dropLast()) } : offered.contains(key)
            XCTAssertTrue(matches, "\(key) prices no model vidflow offers")
        }
    }

    func testVertexPricesVeoPerSecondWithAndWithoutAudioAndAt4K() throws {
        let pricing = ProviderPricing.list
        func amount(_ model: String, resolution: String? = nil, size: String? = nil, audio: Bool? = nil) -> Double? {
            pricing.estimate(provider: "vertex", model: model, seconds: 8, size: size, resolution: resolution, audio: audio)?.amount
        }
        XCTAssertEqual(amount("veo-3.1-generate-001"), 3.2, "0.40 USD/s with audio (the default)")
        XCTAssertEqual(amount("veo-3.1-generate-preview", audio: false), 1.6, "0.20 USD/s without audio")
        XCTAssertEqual(amount("veo-3.1-generate-001", resolution: "4k"), 4.8)
        XCTAssertEqual(amount("veo-3.1-generate-001", size: "2160x3840", audio: false), 3.2)
        XCTAssertEqual(amount("veo-3.1-fast-generate-001"), 1.2)
        XCTAssertEqual(amount("veo-3.1-fast-generate-preview", audio: false), 0.8)
        XCTAssertEqual(amount("veo-3.0-generate-001", audio: false), 1.6)
        XCTAssertEqual(amount("veo-3.0-fast-generate-001", audio: true), 1.2)
        XCTAssertEqual(amount("veo-2.0-generate-001", audio: false), 4.0, "Veo 2 has one rate: 0.50 USD/s")
        XCTAssertNil(amount("veo-3.1-lite-generate-preview"), "no list price: no estimate")
        XCTAssertEqual(pricing.estimate(provider: "vertex", model: "veo-3.0-generate-001", seconds: 4, audio: false)?.basis,
                       "0.2 USD/s × 4 s × 1 video without audio")
        XCTAssertEqual(pricing.estimate(provider: "google", model: "veo-3.0-generate-001", seconds: 8, audio: false)?.amount, 3.2,
                       "the Gemini API has one rate (its Veo 3 always makes audio)")
        let json = try XCTUnwrap(pricing.price(provider: "vertex", model: "veo-3.1-fast-generate-001")?.json)
        XCTAssertEqual(json["per_second"], 0.15)
        XCTAssertEqual(json["without_audio"]?["per_second"], 0.1)
        XCTAssertEqual(json["without_audio"]?["by_resolution"]?["4k"], 0.3)
        let override = ProviderPricing.configured(environment: ["VIDFLOW_PRICES": """
            {"vertex/veo-3.0-generate*": {"per_second": 0.5, "without_audio": {"per_second": 0.25}}}
            """])
        XCTAssertNil(override.overrideProblem)
        XCTAssertEqual(override.estimate(provider: "vertex", model: "veo-3.0-generate-001", seconds: 4, audio: false)?.amount, 1.0)
    }

    func testTheOperatorOverridesPricesFromTheEnvironment() throws {
        let pricing = ProviderPricing.configured(environment: ["VIDFLOW_PRICES": """
            {"runway/gen4_turbo": {"per_second": 0.08}, "yunwu/veo3.1": {"per_video": 1.25, "currency": "CNY"}}
            """])
        XCTAssertNil(pricing.overrideProblem)
        XCTAssertEqual(pricing.estimate(provider: "runway", model: "gen4_turbo", seconds: 5)?.amount ?? 0, 0.4, accuracy: 1e-9)
        let relay = try XCTUnwrap(pricing.estimate(provider: "yunwu", model: "veo3.1", seconds: 8, count: 2))
        XCTAssertEqual(relay.amount, 2.5, accuracy: 1e-9, "a per-video price ignores the length")
        XCTAssertEqual(relay.currency, "CNY")
        XCTAssertEqual(relay.source, "override")

        let file = NSTemporaryDirectory() + "vidflow-prices-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"kling/kling-v3": {"per_second": 0.1}}"#.utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(ProviderPricing.configured(environment: ["VIDFLOW_PRICES": file])
            .estimate(provider: "kling", model: "kling-v3", seconds: 10)?.amount ?? 0, 1.0, accuracy: 1e-9)

        let bad = ProviderPricing.configured(environment: ["VIDFLOW_PRICES": #"{"runway/gen4_turbo": {"per_second": -1}}"#])
        XCTAssertEqual(bad.overrideProblem, "VIDFLOW_PRICES: 'runway/gen4_turbo': give one non-negative per_second or per_video")
        XCTAssertEqual(bad.prices, ProviderPricing.list.prices, "a bad override changes nothing")
        XCTAssertNotNil(ProviderPricing.configured(environment: ["VIDFLOW_PRICES": "/nonexistent/prices.json"]).overrideProblem)
    }

    func testAOneVideoModelAcceptsSeveralVideosUpToTheFanOutBound() throws {
        let runway = RunwayProvider(settings: ProviderSettings(apiKeys: ["k"])).capabilities(for: "gen4.5")
        XCTAssertEqual(runway.maxOutputs, 1)
        let three = try VideoRequest(prompt: "x", numOutputs: 3).adapted(to: runway, provider: "runway", onUnsupported: .error)
        XCTAssertEqual(three.request.numOutputs, 3)
        XCTAssertEqual(runway.jobs(forOutputs: 3), 3)
        XCTAssertThrowsError(try VideoRequest(prompt: "x", numOutputs: 9).adapted(to: runway, provider: "runway", onUnsupported: .error)) {
            XCTAssertTrue(($0 as? ProviderError)?.message.hasPrefix("num_outputs: 9 is not supported by gen4.5 at runway (allowed: 1–8)")
                          == true, "\($0)")
        }
        let veo2 = GoogleVeoProvider(settings: ProviderSettings(apiKeys: ["k"])).capabilities(for: "veo-2.0-generate-001")
        XCTAssertEqual(veo2.jobs(forOutputs: 2), 1, "a model that makes several per job is not fanned out")
        XCTAssertThrowsError(try VideoRequest(prompt: "x", numOutputs: 3).adapted(to: veo2, provider: "google", onUnsupported: .error)) {
            XCTAssertTrue(($0 as? ProviderError)?.message.contains("(allowed: 1–2)") == true, "\($0)")
        }
    }
}
