import Foundation

/// Reads a settings file (`vidflow.toml`, `.env`) defensively: only a regular file (a FIFO, device or
/// directory is refused before anything blocks on it), at most `maxBytes`, valid UTF-8 without NUL bytes.
/// Every failure is one readable line naming the file.
enum ConfigFileText {
    /// 1 MiB: far more than any settings file, small enough to never matter for memory.
    static let maxBytes = 1024 * 1024

    static func read(_ path: String, maxBytes: Int = ConfigFileText.maxBytes) throws -> String {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIFailure.badInput("cannot read settings file '\(path)': \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw CLIFailure.badInput("settings file '\(path)' is not a regular file")
        }
        guard Int(status.st_size) <= maxBytes else {
            throw CLIFailure.badInput("settings file '\(path)' is \(status.st_size) bytes, more than the limit of \(maxBytes)")
        }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw CLIFailure.badInput("cannot read settings file '\(path)': \(error.localizedDescription)")
        }
        guard data.count <= maxBytes else {
            throw CLIFailure.badInput("settings file '\(path)' grew past the limit of \(maxBytes) bytes while being read")
        }
        guard let text = String(data: data, encoding: .utf8), !text.contains("\0") else {
            let line = Self.lineOfFirstInvalidByte(data)
            throw CLIFailure.badInput("settings file '\(path)' line \(line): not UTF-8 text")
        }
        return text
    }

    /// The 1-based line holding the first byte that makes `data` not UTF-8 text (or a NUL).
    private static func lineOfFirstInvalidByte(_ data: Data) -> Int {
        var line = 1
        var start = data.startIndex
        for index in data.indices where data[index] == UInt8(ascii: "\n") || data[index] == 0 {
            if data[index] == 0 || String(data: data[start..<index], encoding: .utf8) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }
}
