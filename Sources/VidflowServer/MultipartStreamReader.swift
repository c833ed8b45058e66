import Foundation
import Hummingbird

/// Reads a `multipart/form-data` body as it arrives: file parts (a filename, or a non-text content type) go
/// straight to temp files (never all in memory), text parts are kept (up to 64 KB each, 64 parts at most).
/// Throws a 413 naming the part past `limit` bytes, a 507 naming the part past the user's quota, and
/// removes every temp file it wrote when it throws.
struct MultipartStreamReader {
    /// A part as read: its text, or the temp file holding its bytes.
    struct Part: Sendable {
        var name: String
        var filename: String?
        var contentType: String?
        var text: String?
        var file: String?
        var size: Int
    }

    let boundary: String
    let limit: Int
    /// Where file parts are written while reading.
    let scratchDirectory: String
    /// Bytes the file parts may take in all (what is left of the user's quota); nil: no quota.
    var quotaLeft: Int? = nil
    var quota = StorageQuota(limit: nil)

    /// Parts a body may have: text parts are held in memory, so their number is bounded too.
    static let maxParts = 64

    func read(_ body: RequestBody) async throws -> [Part] {
        try FileManager.default.createDirectory(atPath: scratchDirectory, withIntermediateDirectories: true)
        var parser = Parser(delimiter: Array("\r\n--\(boundary)".utf8), limit: limit, scratch: scratchDirectory,
                            quotaLeft: quotaLeft, quota: quota)
        parser.pending = Array("\r\n".utf8)
        do {
            for try await chunk in body {
                try parser.consume(Array(chunk.readableBytesView))
            }
            guard parser.finished else { throw MultipartForm.malformed("truncated body") }
            return parser.parts
        } catch {
            parser.discard()
            throw error
        }
    }

    /// The state machine over the bytes seen so far.
    struct Parser {
        enum State { case preamble, headers, body, afterDelimiter, done }
        let delimiter: [UInt8]
        let limit: Int
        let scratch: String
        let quotaLeft: Int?
        let quota: StorageQuota
        var state = State.preamble
        /// Bytes written to temp files so far, against `quotaLeft`.
        var fileBytes = 0
        var pending: [UInt8] = []
        var parts: [Part] = []
        var current: Part?
        var handle: FileHandle?
        var textBytes: [UInt8] = []
        var finished: Bool { state == .done }

        mutating func consume(_ bytes: [UInt8]) throws {
            pending += bytes
            var progressed = true
            while progressed { progressed = try step() }
        }

        /// Handles what `pending` allows; false when more bytes are needed.
        mutating func step() throws -> Bool {
            switch state {
            case .done:
                pending.removeAll()
                return false
            case .preamble:
                guard let index = Self.find(delimiter, in: pending) else {
                    if pending.count > 64 * 1024 { throw MultipartForm.malformed("no boundary found") }
                    return false
                }
                pending.removeFirst(index + delimiter.count)
                state = .afterDelimiter
                return true
            case .afterDelimiter:
                guard pending.count >= 2 else { return false }
                if pending[0] == UInt8(ascii: "-") && pending[1] == UInt8(ascii: "-") {
                    state = .done
                    return true
                }
                guard pending[0] == 13, pending[1] == 10 else { throw MultipartForm.malformed("bad delimiter line") }
                pending.removeFirst(2)
                state = .headers
                return true
            case .headers:
                guard let end = Self.find(Array("\r\n\r\n".utf8), in: pending) else {
                    if pending.count > 16 * 1024 { throw MultipartForm.malformed("part headers too long") }
                    return false
                }
                let text = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 4)
                try begin(MultipartForm.header(text))
                state = .body
                return true
            case .body:
                if let index = Self.find(delimiter, in: pending) {
                    try write(Array(pending[..<index]))
                    pending.removeFirst(index + delimiter.count)
                    try end()
                    state = .afterDelimiter
                    return true
                }
                let keep = delimiter.count - 1
                if pending.count > keep {
                    try write(Array(pending[..<(pending.count - keep)]))
                    pending.removeFirst(pending.count - keep)
                }
                return false
            }
        }

        mutating func begin(_ header: (name: String?, filename: String?, contentType: String?)) throws {
            guard let name = header.name else { throw MultipartForm.malformed("a part without a name") }
            guard parts.count < MultipartStreamReader.maxParts else {
                throw MultipartForm.malformed("more than \(MultipartStreamReader.maxParts) parts")
            }
            var part = Part(name: name, filename: header.filename, contentType: header.contentType, size: 0)
            if header.filename != nil || Self.isFileType(header.contentType) {
                let path = scratch + "/upload-\(UUID().uuidString.lowercased())"
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw APIError(.internalServerError, code: "storage_error", "cannot write the upload")
                }
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                part.file = path
            }
            current = part
            textBytes = []
        }

        mutating func write(_ bytes: [UInt8]) throws {
            guard !bytes.isEmpty, var part = current else { return }
            part.size += bytes.count
            current = part
            if let handle {
                if part.size > limit { throw APIError.tooLarge(limit, field: part.name) }
                fileBytes += bytes.count
                if let quotaLeft, fileBytes > quotaLeft { throw quota.exceeded(field: part.name, used: nil, adding: nil) }
                try handle.write(contentsOf: bytes)
            } else {
                if part.size > 64 * 1024 { throw APIError.tooLarge(64 * 1024, field: part.name) }
                textBytes += bytes
            }
        }

        mutating func end() throws {
            guard var part = current else { return }
            try handle?.close()
            handle = nil
            if part.file == nil { part.text = String(decoding: textBytes, as: UTF8.self) }
            parts.append(part)
            current = nil
        }

        /// Whether a part without a filename is a file by its content type (anything but text).
        static func isFileType(_ contentType: String?) -> Bool {
            guard let type = contentType?.trimmingCharacters(in: .whitespaces).lowercased(), !type.isEmpty else { return false }
            return !type.hasPrefix("text/")
        }

        /// Removes every temp file written so far.
        mutating func discard() {
            try? handle?.close()
            handle = nil
            for path in (parts + [current].compactMap { $0 }).compactMap(\.file) { try? FileManager.default.removeItem(atPath: path) }
        }

        /// The first index of `needle` in `haystack` (memchr for the first byte, memcmp for the rest).
        static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard let first = needle.first, haystack.count >= needle.count else { return nil }
            return haystack.withUnsafeBytes { hay -> Int? in
                needle.withUnsafeBytes { pin -> Int? in
                    guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return nil }
                    var offset = 0
                    let last = hay.count - pin.count
                    while offset <= last {
                        guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
                        let index = base.distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + index, pinBase, pin.count) == 0 { return index }
                        offset = index + 1
                    }
                    return nil
                }
            }
        }
    }
}
