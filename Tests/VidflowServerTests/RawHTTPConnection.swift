import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the test server with a small receive buffer, read only when the test says:
/// a client that stops reading, so the server's writes back up.
final class RawHTTPConnection {
    private let socketFD: Int32

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw RawConnectionError("socket: errno \(errno)") }
        var small: Int32 = 4_096
        setsockopt(socketFD, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(socketFD)
            throw RawConnectionError("connect to 127.0.0.1:\(port): errno \(errno)")
        }
        _ = fcntl(socketFD, F_SETFL, fcntl(socketFD, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(socketFD) }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawConnectionError("send: errno \(errno)") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Reads until the server closes the connection or ends a chunked body; returns the body, de-chunked.
    func readBody(timeout: Duration) async throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
                // The last chunk is empty: "0\r\n\r\n" (looked for at the end only; the body may be megabytes).
                if received.suffix(5).elementsEqual("0\r\n\r\n".utf8), let body = Self.dechunk(received) { return body }
            } else if count == 0 {
                break
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try await Task.sleep(for: .milliseconds(5))
            } else {
                throw RawConnectionError("recv: errno \(errno)")
            }
        }
        guard let body = Self.dechunk(received) else { throw RawConnectionError("the response did not end in time") }
        return body
    }

    /// The body of a complete chunked HTTP/1.1 response; nil while it is incomplete.
    static func dechunk(_ bytes: [UInt8]) -> String? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headerEnd = bytes.firstRange(of: separator)?.upperBound else { return nil }
        var body: [UInt8] = []
        var index = headerEnd
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { return nil }
            guard let size = Int(String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16) else { return nil }
            if size == 0 { return String(decoding: body, as: UTF8.self) }
            let start = lineEnd.upperBound
            guard bytes.count >= start + size + 2 else { return nil }
            body += bytes[start..<start + size]
            index = start + size + 2
        }
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
