import Hummingbird

/// `DELETE /v1/files/directories`: what was deleted (entries of the directory; for a run's share
/// directory, also the run's artifacts no other run uses).
struct DirectoryDeletion: ResponseEncodable, Sendable {
    var directoryPath: String
    var deleted = true
    var entriesDeleted: Int
    var artifactsDeleted: Int
}
