import Foundation
import HTTPTypes
import Synchronization

/// A request's id and, once `AuthMiddleware` has found them, its user: what the request log line needs
/// (`RequestObserver` writes it outside the router). Every copy of a `ServerRequestContext` shares it.
///
/// The id is the client's `X-Request-ID` when that is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`;
/// anything else (too long, spaces, control characters, another header smuggled in) is replaced by a
/// new UUID, so a log line or an error body never carries what a client wrote beyond that charset.
///
/// ```swift
/// let trace = RequestTrace(requestID: RequestTrace.id(given: request.headers.requestID))
/// trace.userID = "u_1"
/// ```
final class RequestTrace: Sendable {
    static let maxLength = 128

    let requestID: String
    private let user = Mutex<String?>(nil)

    init(requestID: String = RequestTrace.newID()) {
        self.requestID = requestID
    }

    /// The authenticated user's id; nil until (unless) a token is accepted.
    var userID: String? {
        get { user.withLock { $0 } }
        set { user.withLock { $0 = newValue } }
    }

    /// The client's id when it is well-formed, else a new one.
    static func id(given header: String?) -> String {
        guard let header, isWellFormed(header) else { return newID() }
        return header
    }

    static func isWellFormed(_ id: String) -> Bool {
        (1...maxLength).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    static func newID() -> String { UUID().uuidString.lowercased() }
}

extension HTTPFields {
    /// `X-Request-ID`: given by the client (or made up by the server) and echoed in every response.
    var requestID: String? {
        get { self[named: "X-Request-ID"] }
        set {
            guard let name = HTTPField.Name("X-Request-ID") else { return }
            self[name] = newValue
        }
    }
}
