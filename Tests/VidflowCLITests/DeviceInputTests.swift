import Foundation
import XCTest

/// File inputs that are not regular files (devices, FIFOs) are refused at once instead of hashed forever.
final class DeviceInputTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testADeviceOrFIFOInputExitsTwoAtOnceWithOneLineAndCreatesNoRun() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let fifo = world.directory + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let workflow = Self.packageRoot + "/workflows/transcode-only.yaml"
        for device in ["/dev/zero", "/dev/urandom", fifo] {
            let started = Date()
            let result = try world.run(["run", workflow, "--input", "video=\(device)"], timeout: 20)
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "\(device) answered late")
            XCTAssertEqual(result.status, 2, "\(device): \(result)")
            XCTAssertEqual(result.stderrLines.count, 1, "\(device): \(result)")
            XCTAssertTrue(result.stderr.contains("'video=\(device)'") && result.stderr.contains("not a regular file"), "\(result)")
        }
        let count = try await world.runCount()
        XCTAssertEqual(count, 0)
    }

    func testADeviceWrittenIntoAStageIsAnInvalidWorkflowNotAHang() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("device.yaml", """
            name: device
            stages:
              - id: p
                uses: ffmpeg.probe
                with: { input: /dev/zero }
            """)
        let started = Date()
        let result = try world.run(["run", "device.yaml"], timeout: 20)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("stage 'p': field 'with.input'") && result.stderr.contains("not a regular file"),
                      "\(result)")
    }

    func testALocalAbsolutePathStillWorksFromTheCLI() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("probe.yaml", """
            name: probe
            inputs:
              image: { type: file, required: true }
            stages:
              - id: p
                uses: ffmpeg.probe
                with: { input: "${{ inputs.image }}" }
            """)
        let sample = Self.packageRoot + "/share/samples/sample.jpg"
        let result = try world.run(["run", "probe.yaml", "--input", "image=\(sample)", "--json"], timeout: 60)
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains(sample), "the CLI shows local paths as they are: \(result)")
    }
}
