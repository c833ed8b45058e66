import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB chunks (never the whole file in memory).
///
/// Only regular files are hashed (checked with `fstat` on a descriptor opened with `O_NONBLOCK`, so a
/// FIFO never blocks the open and a device is refused before the first read), at most `maxBytes` of
/// them, and cancellation is checked between chunks: the task's, and that of the `runBlocking` work
/// the hashing runs in.
public enum FileDigest {
    /// The largest file hashed: 4 GiB. Larger inputs fail with `invalid_input` instead of pinning a core.
    public static let maxBytes: Int64 = 4 << 30

    public static func sha256(ofFile path: String, maxBytes: Int64 = maxBytes) throws -> (hash: String, size: Int64) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw StageFailure(.invalidInput, "cannot read file '\(path)'") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StageFailure(.invalidInput, "'\(path)' is not a regular file")
        }
        guard Int64(info.st_size) <= maxBytes else {
            throw StageFailure(.invalidInput, "'\(path)' is larger than the \(maxBytes >> 20) MiB a file may have")
        }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            if Task.isCancelled || CancellationFlag.current?.isCancelled == true { throw CancellationError() }
            size += Int64(chunk.count)
            guard size <= maxBytes else {
                throw StageFailure(.invalidInput, "'\(path)' grew past the \(maxBytes >> 20) MiB a file may have")
            }
            hasher.update(data: chunk)
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
