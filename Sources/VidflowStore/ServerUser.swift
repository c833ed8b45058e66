import Foundation

/// A user of the HTTP service: owns runs, files and tasks; authenticates with bearer tokens.
public struct ServerUser: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var isAdmin: Bool

    public init(id: String, name: String, isAdmin: Bool) {
        self.id = id
        self.name = name
        self.isAdmin = isAdmin
    }
}
