import AsyncHTTPClient
import Foundation
import VidflowCore

/// Streams an http(s) URL into a file chunk by chunk (never the whole body in memory) with AsyncHTTPClient.
///
/// Every hop is checked against an `OutboundURLPolicy` (after DNS, see `OutboundURLGuard`): redirects are
/// followed here, at most `policy.maxRedirects`, only to http(s), each target checked again; headers
/// (provider credentials) go to the first origin only. A refused URL is an `invalid_input` failure that
/// says why, and nothing is sent to it.
///
/// HTTP errors become stage failures a retry policy can act on: 429 `rate_limited` and 5xx `transient`
/// (with Retry-After), 401/403 `auth`, 404/410 (an expired result URL) `provider_failed`, other 4xx `invalid_input`.
enum HTTPDownloader {
    /// Largest body accepted (4 GiB).
    static let maxBytes: Int64 = 4 << 30

    /// Downloads `url` to `path`; returns the number of bytes written.
    @discardableResult
    static func download(_ url: String, to path: String, headers: [String: String] = [:], policy: OutboundURLPolicy,
                         timeout: Duration = .seconds(600)) async throws -> Int64 {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        let response = try await open(url, headers: headers, policy: policy, deadline: deadline)
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

    /// GETs `url`, following redirects hop by hop under `policy`; returns the first non-redirect answer.
    static func open(_ url: String, headers: [String: String], policy: OutboundURLPolicy,
                     deadline: Date) async throws -> HTTPClientResponse {
        var current = url
        var hops = 0
        let origin = Self.origin(of: url)
        while true {
            let target: OutboundURLGuard.Target
            do {
                target = try await OutboundURLGuard.check(current, policy: policy)
            } catch {
                throw StageFailure(error.isPermanent ? .invalidInput : .transient, hops == 0 ? error.description
                                   : "\(redacted(url)) redirected to a refused URL: \(error.description)")
            }
            var request = HTTPClientRequest(url: target.connectURL)
            if Self.origin(of: current) == origin {
                for (name, value) in headers { request.headers.add(name: name, value: value) }
            }
            if let host = target.hostHeader { request.headers.replaceOrAdd(name: "host", value: host) }
            let response: HTTPClientResponse
            do {
                let remaining = max(1, Int64(deadline.timeIntervalSinceNow * 1000))
                response = try await OutboundURLGuard.client.execute(request, timeout: .milliseconds(remaining))
            } catch {
                throw StageFailure(.transient, "download of \(redacted(current)) failed: \(error)")
            }
            guard [301, 302, 303, 307, 308].contains(Int(response.status.code)),
                  let location = response.headers.first(name: "location") else { return response }
            hops += 1
            guard hops <= policy.maxRedirects else {
                throw StageFailure(.invalidInput,
                                   "download of \(redacted(url)) redirected more than \(policy.maxRedirects) times")
            }
            guard let next = URL(string: location, relativeTo: URL(string: current))?.absoluteURL.absoluteString else {
                throw StageFailure(.invalidInput, "download of \(redacted(url)) redirected to an unreadable location")
            }
            current = next
        }
    }

    /// `scheme://host:port`, to keep credentials from following a redirect to another origin.
    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url) else { return url }
        return "\(parsed.scheme?.lowercased() ?? "")://\(parsed.host?.lowercased() ?? ""):\(parsed.port ?? -1)"
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
