import Foundation
import Hummingbird

/// Streams a file, whole or one `Range: bytes=…` slice (206), with Content-Type and Content-Length; a range outside
/// the file throws a 416 `APIError` carrying `Content-Range: bytes */SIZE`.
enum FileResponse {
    /// `filename`: offered as `Content-Disposition: attachment; filename="…"; filename*=UTF-8''…`, the name a
    /// browser or `curl -OJ` saves the file under.
    static func make(path: String, size: Int, contentType: String, range: String?, filename: String? = nil) throws -> Response {
        var start = 0
        var end = size - 1
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        if let filename { headers[.contentDisposition] = ContentDisposition.attachment(filename: filename) }
        if let range {
            guard let (from, to) = parse(range, size: size) else {
                // Rendered like every error (with the request's id), plus where the file ends.
                throw APIError(.rangeNotSatisfiable, code: "range_not_satisfiable", "the range is outside the file",
                               field: "Range", headers: [.contentRange: "bytes */\(size)"])
            }
            (start, end) = (from, to)
            status = .partialContent
            headers[.contentRange] = "bytes \(start)-\(end)/\(size)"
        }
        let length = max(0, end - start + 1)
        let offset = UInt64(start)
        headers[.contentLength] = String(length)
        let body = ResponseBody(contentLength: length) { writer in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            var left = length
            while left > 0 {
                let chunk = try handle.read(upToCount: min(left, 256 * 1024)) ?? Data()
                guard !chunk.isEmpty else { break }
                left -= chunk.count
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clamped to the file; nil when unsatisfiable.
    static func parse(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[spec.startIndex..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return (max(0, size - suffix), size - 1)
        }
        guard let from = Int(first), from >= 0, from < size else { return nil }
        if last.isEmpty { return (from, size - 1) }
        guard let to = Int(last), to >= from else { return nil }
        return (from, min(to, size - 1))
    }
}
