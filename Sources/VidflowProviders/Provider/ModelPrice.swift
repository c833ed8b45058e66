import VidflowCore

/// One model's list price.
public struct ModelPrice: Sendable, Hashable {
    /// What one `amount` buys: a second of video, or a whole video.
    public enum Unit: String, Sendable, Hashable, Codable { case second, video }

    public var unit: Unit
    public var amount: Double
    /// Rates that differ by size (`1792x1024`) or resolution (`1080p`), over `amount`.
    public var byResolution: [String: Double]
    public var currency: String
    /// `list` (vidflow's table, from the provider's published prices) or `override` (`VIDFLOW_PRICES`).
    public var source: String
    /// The rates of a video made without audio where the provider charges less for it (Veo 3 on Vertex AI, asked
    /// with `generate_audio: false`); `amount` and `byResolution` are then the rates with audio, the default.
    public var withoutAudio: Rates?

    /// A rate and its rates by size or resolution.
    public struct Rates: Sendable, Hashable {
        public var amount: Double
        public var byResolution: [String: Double]

        public init(_ amount: Double, byResolution: [String: Double] = [:]) {
            self.amount = amount
            self.byResolution = byResolution
        }
    }

    public init(_ unit: Unit, _ amount: Double, byResolution: [String: Double] = [:], currency: String = "USD",
                source: String = "list", withoutAudio: Rates? = nil) {
        self.unit = unit
        self.amount = amount
        self.byResolution = byResolution
        self.currency = currency
        self.source = source
        self.withoutAudio = withoutAudio
    }

    /// The rate for a size or resolution (an exact size first, then the resolution), else `amount`; with
    /// `audio: false`, from the rates without audio where the model has them.
    public func rate(size: String? = nil, resolution: String? = nil, audio: Bool? = nil) -> Double {
        let rates = audio == false ? withoutAudio ?? Rates(amount, byResolution: byResolution) : Rates(amount, byResolution: byResolution)
        if let size, let rate = rates.byResolution[size.lowercased()] { return rate }
        if let resolution, let rate = rates.byResolution[resolution.lowercased()] { return rate }
        return rates.amount
    }

    /// `{"per_second": 0.05, "currency": "USD", "by_resolution": {...}, "source": "list"}`, and
    /// `"without_audio": {"per_second": 0.2, "by_resolution": {...}}` where the model has such rates.
    public var json: JSONValue {
        var object: [String: JSONValue] = [unit == .second ? "per_second" : "per_video": .double(amount),
                                           "currency": .string(currency), "source": .string(source)]
        if !byResolution.isEmpty { object["by_resolution"] = .object(byResolution.mapValues(JSONValue.double)) }
        if let withoutAudio {
            var silent: [String: JSONValue] = [unit == .second ? "per_second" : "per_video": .double(withoutAudio.amount)]
            if !withoutAudio.byResolution.isEmpty {
                silent["by_resolution"] = .object(withoutAudio.byResolution.mapValues(JSONValue.double))
            }
            object["without_audio"] = .object(silent)
        }
        return .object(object)
    }
}
