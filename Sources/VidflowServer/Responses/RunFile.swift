import Hummingbird

/// A run's file in the status document's `output.files`: where it lies in the user's storage and its download URL.
struct RunFile: Encodable, Sendable {
    var stage: String
    var output: String
    var filePath: String
    var downloadURL: String
    var size: Int
    var contentType: String
}
