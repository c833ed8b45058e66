import Foundation
import Hummingbird

/// `201` to `POST /v1/files/upload`: where the file is stored and how to download it.
struct Upload: ResponseEncodable, Sendable {
    var filePath: String
    var bucket: String
    var downloadURL: String
    var size: Int
    var uploadedAt: Date
    var contentType: String
}
