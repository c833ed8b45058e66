import Foundation
import VidflowCore

/// The `local` provider's files: a JSON per job, an idempotency-key index, and the rendered videos.
///
/// Layout under `directory`: `jobs/<id>.json`, `keys/<sha256 of key>` (holding the job id), `videos/<id>.mp4`.
struct LocalJobStore: Sendable {
    let directory: String

    var jobsDirectory: String { directory + "/jobs" }
    var keysDirectory: String { directory + "/keys" }
    var videosDirectory: String { directory + "/videos" }

    func videoPath(of id: String) -> String { videosDirectory + "/\(id).mp4" }
    private func jobPath(of id: String) -> String { jobsDirectory + "/\(id).json" }
    private func keyPath(of key: String) -> String { keysDirectory + "/" + FileDigest.sha256(of: Data(key.utf8)) }

    /// Writes the record atomically, creating the directories on first use.
    func save(_ record: LocalJobRecord) throws(ProviderError) {
        try io("save job \(record.id)") {
            try createDirectories()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(record).write(to: URL(fileURLWithPath: jobPath(of: record.id)), options: .atomic)
        }
    }

    /// The record of job `id`, or nil when there is none.
    func load(_ id: String) throws(ProviderError) -> LocalJobRecord? {
        guard Self.isSafeID(id), FileManager.default.fileExists(atPath: jobPath(of: id)) else { return nil }
        return try io("read job \(id)") {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(LocalJobRecord.self, from: Data(contentsOf: URL(fileURLWithPath: jobPath(of: id))))
        }
    }

    /// Records that `key` created job `id`.
    func index(key: String, id: String) throws(ProviderError) {
        try io("index job \(id)") {
            try createDirectories()
            try Data(id.utf8).write(to: URL(fileURLWithPath: keyPath(of: key)), options: .atomic)
        }
    }

    /// The job created with `key`, or nil.
    func jobID(forKey key: String) throws(ProviderError) -> String? {
        let path = keyPath(of: key)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let id = try io("look up key") { String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) }
        return Self.isSafeID(id) ? id : nil
    }

    /// Ids of every job ever submitted here, sorted.
    func jobIDs() throws(ProviderError) -> [String] {
        guard FileManager.default.fileExists(atPath: jobsDirectory) else { return [] }
        return try io("list jobs") {
            try FileManager.default.contentsOfDirectory(atPath: jobsDirectory)
                .filter { $0.hasSuffix(".json") }
                .map { String($0.dropLast(5)) }
                .sorted()
        }
    }

    private func createDirectories() throws {
        for path in [jobsDirectory, keysDirectory, videosDirectory] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }

    private func io<T>(_ operation: String, _ body: () throws -> T) throws(ProviderError) -> T {
        do {
            return try body()
        } catch {
            throw ProviderError(provider: LocalProvider.providerName, operation: operation, kind: .transient,
                                message: "\(error) (in \(directory))")
        }
    }

    /// Job ids are generated here; anything else (a path, say) is refused before touching the disk.
    static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}
