import Foundation
import VidflowCore

/// Inline Vertex results (`bytesBase64Encoded`) as files the download stage imports without another
/// download: one file per operation and sample, written once (atomically) and found again on later reads;
/// files older than a day are swept when a new one is written.
enum VertexInlineVideos {
    static let keepSeconds: TimeInterval = 86_400

    /// Writes the decoded video (unless already there) and returns its path.
    static func write(_ base64: String, jobID: String, index: Int, directory: String, provider: String) throws -> String {
        let operationID = jobID.split(separator: "/").last.map(String.init) ?? jobID
        let safe = operationID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let path = directory + "/" + String(safe.prefix(120)) + "-\(index).mp4"
        if FileManager.default.fileExists(atPath: path) { return path }
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw ProviderError(provider: provider, operation: "result of \(jobID)", kind: .providerFailed,
                                message: "video \(index) of the operation is not valid base64")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            sweep(directory)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ProviderError(provider: provider, operation: "result of \(jobID)", kind: .transient,
                                message: "cannot write the inline video to \(directory): \(error.localizedDescription)")
        }
        return path
    }

    /// Removes files older than `keepSeconds` (their runs downloaded them long ago).
    static func sweep(_ directory: String, now: Date = Date()) {
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".mp4") {
            let path = directory + "/" + name
            if let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
               now.timeIntervalSince(modified) > keepSeconds {
                try? manager.removeItem(atPath: path)
            }
        }
    }
}
