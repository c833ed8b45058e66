/// A `VIDFLOW_PRICES` value that cannot be used, and why.
public struct PricingError: Error, Sendable, Hashable {
    public var message: String
}
