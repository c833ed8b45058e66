import Foundation
import HTTPTypes
import Synchronization

/// What the test receiver saw.
final class ReceivedWebhooks: Sendable {
    let items = Mutex<[(headers: HTTPFields, body: Data)]>([])
    let failFirst: Int
    init(failFirst: Int) { self.failFirst = failFirst }
}
