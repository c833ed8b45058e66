import VidflowCore

/// An estimate for `videos` videos: the total, what one costs, and how it was worked out.
public struct CostEstimate: Sendable, Hashable {
    public var amount: Double
    public var perVideo: Double
    public var videos: Int
    public var currency: String
    /// `0.05 USD/s × 10 s × 3 videos`.
    public var basis: String
    public var source: String

    public var json: JSONValue {
        ["amount": .double(amount), "per_video": .double(perVideo), "videos": .int(videos), "currency": .string(currency),
         "basis": .string(basis), "source": .string(source)]
    }
}
