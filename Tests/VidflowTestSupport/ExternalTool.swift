import Foundation
import XCTest

/// Runs a command-line tool (ffmpeg, ffprobe, …) and returns its standard output; throws when it exits non-zero.
@discardableResult
public func runTool(_ name: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolError(message: "\(name) \(arguments.joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self))")
    }
    return data
}

/// A tool run by a test failed, with what it said.
public struct ToolError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Whether the ffmpeg and ffprobe CLIs can be run.
public let ffmpegAvailable: Bool = {
    (try? runTool("ffmpeg", ["-hide_banner", "-version"])) != nil && (try? runTool("ffprobe", ["-version"])) != nil
}()

/// Skips the current test when the ffmpeg CLI is missing (`make test` installs it).
public func requireFFmpeg() throws {
    if !ffmpegAvailable { throw XCTSkip("ffmpeg CLI not installed: run make test, which installs it") }
}
