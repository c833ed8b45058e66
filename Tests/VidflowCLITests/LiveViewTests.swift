import Foundation
import XCTest

final class LiveViewTests: XCTestCase {
    /// Under a pseudo-terminal (`script`), `run` redraws one line per stage with ANSI cursor moves.
    func testOnATerminalEachStageIsOneLiveLineRedrawnInPlace() throws {
        let script = "/usr/bin/script"
        guard FileManager.default.isExecutableFile(atPath: script) else { throw XCTSkip("no \(script) to make a terminal") }
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qec", "\(world.binary) run chain.yaml", "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: world.directory)
        process.environment = world.environment
        let output = world.directory + "/tty.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("\u{1B}[3A"), "moves the cursor up over the three stage lines: \(text.debugDescription)")
        XCTAssertTrue(text.contains("✓ transcode"), text)
        XCTAssertTrue(text.contains("100%"), text)
        XCTAssertTrue(text.contains("completed in"), text)
    }
}
