import Foundation
import VidflowCore

/// What each provider's models cost, per second of video or per video, as the providers publish it
/// (`list`), with the operator's overrides from `VIDFLOW_PRICES` on top. Batches (and `estimated_cost`
/// on `video.generate`) read it for estimates; what a provider really charged, where it says, is the
/// poll's `cost`.
///
/// ```swift
/// let pricing = ProviderPricing.list
/// pricing.estimate(provider: "runway", model: "gen4_turbo", seconds: 10, count: 3)?.amount   // 1.5 (USD)
/// ```
///
/// Keys are `provider/model`; a key ending in `*` is a prefix (`openai/sora-2-pro*` covers the dated
/// snapshots), the longest matching one wins. A model without an entry has no estimate (nil), never 0.
public struct ProviderPricing: Sendable, Hashable {
    /// Prices by `provider/model` (or `provider/prefix*`).
    public var prices: [String: ModelPrice]
    /// Why `VIDFLOW_PRICES` was not applied, when it was set but unreadable (shown by `vidflow providers`).
    public var overrideProblem: String?

    public init(prices: [String: ModelPrice], overrideProblem: String? = nil) {
        self.prices = prices
        self.overrideProblem = overrideProblem
    }

    /// The price of `model` at `provider` (an exact entry, else the longest prefix entry), or nil.
    public func price(provider: String, model: String) -> ModelPrice? {
        if let exact = prices["\(provider)/\(model)"] { return exact }
        let key = "\(provider)/\(model)"
        return prices.filter { $0.key.hasSuffix("*") && key.hasPrefix(String($0.key.dropLast())) }
            .max { $0.key.count < $1.key.count }?.value
    }

    /// What `count` videos of `seconds` each would cost at `provider`/`model`, or nil when the price is unknown.
    /// `size` or `resolution` pick a resolution-dependent price where the model has one.
    /// `audio: false` (the request's `generate_audio`) picks the rate without audio where the model has one.
    public func estimate(provider: String, model: String, seconds: Double, count: Int = 1, size: String? = nil,
                         resolution: String? = nil, audio: Bool? = nil) -> CostEstimate? {
        guard let price = price(provider: provider, model: model) else { return nil }
        let rate = price.rate(size: size, resolution: resolution, audio: audio)
        let perVideo = price.unit == .second ? rate * seconds : rate
        let videos = max(1, count)
        let unit = price.unit == .second ? "\(Self.money(rate)) \(price.currency)/s × \(Self.number(seconds)) s"
            : "\(Self.money(rate)) \(price.currency)/video"
        return CostEstimate(amount: Self.rounded(perVideo * Double(videos)), perVideo: Self.rounded(perVideo), videos: videos,
                            currency: price.currency, basis: "\(unit) × \(videos) video\(videos == 1 ? "" : "s")"
                                + (audio == false && price.withoutAudio != nil ? " without audio" : ""),
                            source: price.source)
    }

    /// vidflow's table overlaid with `VIDFLOW_PRICES` (JSON text, or the path of a JSON file):
    /// `{"runway/gen4_turbo": {"per_second": 0.05}, "kling/kling-v2-6": {"per_video": 0.35, "currency": "USD"},
    /// "openai/sora-2-pro": {"per_second": 0.3, "by_resolution": {"1792x1024": 0.5}},
    /// "vertex/veo-3.0-generate*": {"per_second": 0.4, "without_audio": {"per_second": 0.2}}}`. An unreadable value
    /// leaves the table as it is and says why in `overrideProblem`.
    public static func configured(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProviderPricing {
        var pricing = list
        guard let given = environment["VIDFLOW_PRICES"]?.trimmingCharacters(in: .whitespacesAndNewlines), !given.isEmpty else {
            return pricing
        }
        do {
            let text = given.hasPrefix("{") ? given : try String(contentsOfFile: given, encoding: .utf8)
            for (key, price) in try overrides(from: text) { pricing.prices[key] = price }
        } catch let error as PricingError {
            pricing.overrideProblem = "VIDFLOW_PRICES: \(error.message)"
        } catch {
            pricing.overrideProblem = "VIDFLOW_PRICES: cannot read '\(given)': \(error.localizedDescription)"
        }
        return pricing
    }

    /// Prices from override JSON; throws naming the entry and field that is wrong.
    static func overrides(from text: String) throws(PricingError) -> [String: ModelPrice] {
        guard let value = try? JSONValue.parse(text), let object = value.objectValue else {
            throw PricingError(message: "not a JSON object of \"provider/model\": {per_second | per_video}")
        }
        var result: [String: ModelPrice] = [:]
        for (key, entry) in object {
            guard key.contains("/") else { throw PricingError(message: "'\(key)': the key must be provider/model") }
            let perSecond = entry["per_second"]?.doubleValue
            let perVideo = entry["per_video"]?.doubleValue
            guard (perSecond == nil) != (perVideo == nil), let amount = perSecond ?? perVideo, amount >= 0, amount.isFinite else {
                throw PricingError(message: "'\(key)': give one non-negative per_second or per_video")
            }
            var byResolution: [String: Double] = [:]
            for (tier, rate) in entry["by_resolution"]?.objectValue ?? [:] {
                guard let number = rate.doubleValue, number >= 0 else {
                    throw PricingError(message: "'\(key)'.by_resolution.\(tier): must be a non-negative number")
                }
                byResolution[tier] = number
            }
            var withoutAudio: ModelPrice.Rates?
            if let silent = entry["without_audio"] {
                guard let rate = silent[perVideo == nil ? "per_second" : "per_video"]?.doubleValue, rate >= 0, rate.isFinite else {
                    throw PricingError(message: "'\(key)'.without_audio: give a non-negative \(perVideo == nil ? "per_second" : "per_video")")
                }
                var tiers: [String: Double] = [:]
                for (tier, value) in silent["by_resolution"]?.objectValue ?? [:] {
                    guard let number = value.doubleValue, number >= 0 else {
                        throw PricingError(message: "'\(key)'.without_audio.by_resolution.\(tier): must be a non-negative number")
                    }
                    tiers[tier] = number
                }
                withoutAudio = ModelPrice.Rates(rate, byResolution: tiers)
            }
            result[key] = ModelPrice(perVideo == nil ? .second : .video, amount, byResolution: byResolution,
                                     currency: entry["currency"]?.stringValue ?? "USD", source: "override",
                                     withoutAudio: withoutAudio)
        }
        return result
    }

    static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
    static func money(_ value: Double) -> String { String(format: "%.4g", value) }
    static func number(_ value: Double) -> String { value.rounded() == value ? String(Int(value)) : String(value) }
}
