import Foundation
import VidflowCore
import VidflowStore
import XCTest

/// A temporary working directory with its own data directory, and the built `vidflow` binary to run in it.
///
/// Every command is a real child process over a real SQLite file; `cleanUp()` removes it all.
struct CLIWorld {
    let directory: String
    let dataDirectory: String
    let binary: String

    init(file: StaticString = #filePath, line: UInt = #line) throws {
        directory = NSTemporaryDirectory() + "vidflow-cli-\(UUID().uuidString.prefix(8))"
        dataDirectory = directory + "/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        binary = try XCTUnwrap(Self.findBinary(), "build the vidflow executable first (swift build --build-tests)",
                               file: file, line: line)
    }

    /// `vidflow` next to the test bundle, else in the package's `.build/debug`; `VIDFLOW_BIN` overrides both.
    static func findBinary() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["VIDFLOW_BIN"] { candidates.append(override) }
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("vidflow").path)
        candidates.append(bundle.appendingPathComponent("vidflow").path)
        for test in Bundle.allBundles where test.bundlePath.hasSuffix(".xctest") {
            candidates.append(test.bundleURL.deletingLastPathComponent().appendingPathComponent("vidflow").path)
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(package.appendingPathComponent(".build/debug/vidflow").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes `text` to `name` in the working directory; returns its absolute path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Variables added to the children's environment (e.g. a provider key).
    var extraEnvironment: [String: String] = [:]

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["VIDFLOW_DATA_DIR"] = dataDirectory
        environment["VIDFLOW_TEST_STAGES"] = "1"
        environment.merge(extraEnvironment) { _, given in given }
        return environment
    }

    /// Starts `vidflow arguments…` in the working directory; output goes to files read by `finish`.
    func start(_ arguments: [String], in cwd: String? = nil) throws -> RunningCLI {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cwd ?? directory)
        process.environment = environment
        let name = UUID().uuidString.prefix(8)
        let out = directory + "/.out-\(name)", err = directory + "/.err-\(name)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCLI(process: process, stdoutPath: out, stderrPath: err)
    }

    /// Runs `vidflow arguments…` to its end (killed and failed after `timeout` seconds).
    func run(_ arguments: [String], in cwd: String? = nil, timeout: TimeInterval = 30,
             file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let running = try start(arguments, in: cwd)
        let result = running.finish(timeout: timeout)
        if result.signalled {
            XCTFail("vidflow \(arguments.joined(separator: " ")) did not end within \(timeout)s\n\(result)", file: file, line: line)
        }
        return result
    }

    /// The store the child processes write, opened read-side for assertions.
    func store() throws -> SQLiteWorkflowStore {
        try SQLiteWorkflowStore(path: dataDirectory + "/vidflow.sqlite")
    }

    /// How many runs the data directory holds (0 when it was never created).
    func runCount() async throws -> Int {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/vidflow.sqlite") else { return 0 }
        return try await store().runs(status: nil, limit: 10_000, createdBefore: nil).count
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}
