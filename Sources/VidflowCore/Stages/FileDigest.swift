import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB chunks (never the whole file in memory).
public enum FileDigest {
    public static func sha256(ofFile path: String) throws -> (hash: String, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StageFailure(.invalidInput, "cannot read file '\(path)'")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (hex(hasher.finalize()), size)
    }

    public static func sha256(of data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
