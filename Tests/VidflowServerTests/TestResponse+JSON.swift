import Foundation
import HummingbirdTesting
import NIOCore
import VidflowCore

extension TestResponse {
    static func json(_ response: TestResponse) -> JSONValue {
        (try? JSONValue.parse(String(buffer: response.body))) ?? .null
    }
}
