import Hummingbird

/// `GET /`: the API is running, and its version.
struct ServiceInfo: ResponseEncodable, Sendable {
    var message = "vidflow API is running"
    var version = ServerVersion.current
}
