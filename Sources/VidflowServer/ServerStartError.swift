/// A `--no-auth` request for an address other than loopback, or another setting refused at start.
public struct ServerStartError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
