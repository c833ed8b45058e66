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

    public init(_ unit: Unit, _ amount: Double, byResolution: [String: Double] = [:], currency: String = "USD",
                source: String = "list") {
        self.unit = unit
        self.amount = amount
        self.byResolution = byResolution
        self.currency = currency
        self.source = source
    }

    /// The rate for a size or resolution (an exact size first, then the resolution), else `amount`.
    public func rate(size: String? = nil, resolution: String? = nil) -> Double {
        if let size, let rate = byResolution[size.lowercased()] { return rate }
        if let resolution, let rate = byResolution[resolution.lowercased()] { return rate }
        return amount
    }

    /// `{"per_second": 0.05, "currency": "USD", "by_resolution": {...}, "source": "list"}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [unit == .second ? "per_second" : "per_video": .double(amount),
                                           "currency": .string(currency), "source": .string(source)]
        if !byResolution.isEmpty { object["by_resolution"] = .object(byResolution.mapValues(JSONValue.double)) }
        return .object(object)
    }
}
