import Foundation
import NIOCore

/// What MultipartKit's streaming `MultipartParser` calls back with, kept the vidflow way: file parts (a
/// filename, or a non-text content type) written to temp files as their bytes arrive, text parts kept in
/// memory (64 KB each, 64 parts at most), the part and quota limits enforced byte by byte.
///
/// The parser's callbacks cannot throw: the first failure is kept in `failure` (later callbacks do
/// nothing) and `MultipartStreamReader` throws it after the chunk it came from.
final class MultipartPartCollector {
    let limit: Int
    let scratch: String
    let quotaLeft: Int?
    let quota: StorageQuota

    /// Parts a body may have: text parts are held in memory, so their number is bounded too.
    static let maxParts = 64
    /// Bytes a text part may have.
    static let maxTextBytes = 64 * 1024
    /// File bytes gathered before a write to the temp file (the parser hands over small slices).
    static let writeBatch = 256 * 1024

    private(set) var parts: [MultipartStreamReader.Part] = []
    private(set) var failure: (any Error)?
    /// Callbacks seen so far: the reader tells from it whether a chunk moved the parser along.
    private(set) var events = 0
    /// Whether the last callback completed a part (the final boundary, or the next part's headers, follows).
    private(set) var lastEventCompletedAPart = false
    /// Whether the last callback was body bytes: the parser is inside a part's body.
    private(set) var lastEventWasBody = false

    private var headers: [(name: String, value: String)] = []
    private var current: MultipartStreamReader.Part?
    private var handle: FileHandle?
    private var pendingWrite = ByteBuffer()
    private var text = ByteBuffer()
    private var fileBytes = 0

    init(limit: Int, scratch: String, quotaLeft: Int?, quota: StorageQuota) {
        self.limit = limit
        self.scratch = scratch
        self.quotaLeft = quotaLeft
        self.quota = quota
    }

    func header(_ name: String, _ value: String) {
        note(completedAPart: false, body: false)
        guard failure == nil else { return }
        headers.append((name, value))
    }

    func body(_ bytes: inout ByteBuffer) {
        note(completedAPart: false, body: true)
        guard failure == nil else { return }
        do {
            if current == nil { try begin() }
            try append(&bytes)
        } catch {
            fail(error)
        }
    }

    func partComplete() {
        note(completedAPart: true, body: false)
        guard failure == nil else { return }
        do {
            if current == nil { try begin() }
            try end()
        } catch {
            fail(error)
        }
    }

    private func note(completedAPart: Bool, body: Bool) {
        events += 1
        lastEventCompletedAPart = completedAPart
        lastEventWasBody = body
    }

    private func fail(_ error: any Error) {
        failure = error
    }

    /// Opens the part its headers describe: a temp file for a file part.
    private func begin() throws {
        let disposition = headers.last { $0.name.lowercased() == "content-disposition" }.map { ContentDisposition(parsing: $0.value) }
        let contentType = headers.last { $0.name.lowercased() == "content-type" }?.value
        headers = []
        guard let name = disposition?.name else { throw MultipartForm.malformed("a part without a name") }
        guard parts.count < Self.maxParts else { throw MultipartForm.malformed("more than \(Self.maxParts) parts") }
        let sentFilename = disposition?.filename
        var part = MultipartStreamReader.Part(name: name, filename: sentFilename.flatMap(MultipartForm.fileName),
                                              contentType: contentType, size: 0)
        if sentFilename != nil || Self.isFileType(contentType) {
            let path = scratch + "/upload-\(UUID().uuidString.lowercased())"
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw APIError(.internalServerError, code: "storage_error", "cannot write the upload")
            }
            part.file = path
            current = part
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } else {
            current = part
        }
        text.clear()
    }

    private func append(_ bytes: inout ByteBuffer) throws {
        guard var part = current, bytes.readableBytes > 0 else { return }
        part.size += bytes.readableBytes
        current = part
        if handle != nil {
            if part.size > limit { throw APIError.tooLarge(limit, field: part.name) }
            fileBytes += bytes.readableBytes
            if let quotaLeft, fileBytes > quotaLeft { throw quota.exceeded(field: part.name, used: nil, adding: nil) }
            pendingWrite.writeBuffer(&bytes)
            if pendingWrite.readableBytes >= Self.writeBatch { try flush() }
        } else {
            if part.size > Self.maxTextBytes { throw APIError.tooLarge(Self.maxTextBytes, field: part.name) }
            text.writeBuffer(&bytes)
        }
    }

    private func flush() throws {
        guard let handle, pendingWrite.readableBytes > 0 else { return }
        try handle.write(contentsOf: Data(pendingWrite.readableBytesView))
        pendingWrite.clear()
    }

    private func end() throws {
        guard var part = current else { return }
        try flush()
        try handle?.close()
        handle = nil
        if part.file == nil { part.text = String(decoding: text.readableBytesView, as: UTF8.self) }
        parts.append(part)
        current = nil
    }

    /// Whether a part without a filename is a file by its content type (anything but text).
    static func isFileType(_ contentType: String?) -> Bool {
        guard let type = contentType?.trimmingCharacters(in: .whitespaces).lowercased(), !type.isEmpty else { return false }
        return !type.hasPrefix("text/")
    }

    /// Removes every temp file written so far (the body failed).
    func discard() {
        try? handle?.close()
        handle = nil
        for path in (parts + [current].compactMap { $0 }).compactMap(\.file) { try? FileManager.default.removeItem(atPath: path) }
    }
}
