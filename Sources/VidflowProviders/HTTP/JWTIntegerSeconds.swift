import Foundation
import JWTKit

/// jwt-kit's serializer with `exp`, `nbf` and `iat` written as whole seconds (RFC 7519 NumericDate), the
/// form Kling and Google's OAuth token endpoint read; jwt-kit's default writes a `Double`.
enum JWTIntegerSeconds {
    static var serializer: DefaultJWTSerializer {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        return DefaultJWTSerializer(jsonEncoder: encoder)
    }
}
