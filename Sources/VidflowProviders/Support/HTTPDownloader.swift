import AsyncHTTPClient
import Foundation
import VidflowCore

/// Streams an http(s) URL into a file chunk by chunk (never the whole body in memory) with AsyncHTTPClient.
///
/// HTTP errors become stage failures a retry policy can act on: 429 `rate_limited` and 5xx `transient`
/// (with Retry-After), 401/403 `auth`, 404/410 (an expired result URL) `provider_failed`, other 4xx `invalid_input`.
enum HTTPDownloader {
    /// Largest body accepted (4 GiB).
    static let maxBytes: Int64 = 4 << 30

    /// Downloads `url` to `path`; returns the number of bytes written.
    @discardableResult
    static func download(_ url: String, to path: String, headers: [String: String] = [:],
                         timeout: Duration = .seconds(600)) async throws -> Int64 {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
        } catch {
            throw StageFailure(.transient, "download of \(redacted(url)) failed: \(error)")
        }
        let code = Int(response.status.code)
        guard (200..<300).contains(code) else {
            let retryAfter = response.headers.first(name: "retry-after").flatMap { Int($0) }.map { $0 * 1000 }
            throw StageFailure(kind(forStatus: code), "download of \(redacted(url)) answered HTTP \(code)",
                               retryAfterMs: retryAfter)
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StageFailure(.transient, "cannot create download file \(path)")
        }
        defer { try? handle.close() }
        var written: Int64 = 0
        do {
            for try await buffer in response.body {
                try Task.checkCancellation()
                written += Int64(buffer.readableBytes)
                if written > maxBytes {
                    throw StageFailure(.invalidInput, "download of \(redacted(url)) is larger than \(maxBytes) bytes")
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
        } catch let failure as StageFailure {
            throw failure
        } catch is CancellationError {
            throw StageFailure(.cancelled, "download of \(redacted(url)) cancelled")
        } catch {
            throw StageFailure(.transient, "download of \(redacted(url)) broke off after \(written) bytes: \(error)")
        }
        return written
    }

    /// The error kind for a non-2xx HTTP status.
    static func kind(forStatus code: Int) -> ErrorKind {
        switch code {
        case 429: .rateLimited
        case 401, 403: .auth
        case 404, 410: .providerFailed
        case 408, 500...599: .transient
        default: .invalidInput
        }
    }

    /// The URL without its query string (pre-signed URLs carry credentials there).
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
