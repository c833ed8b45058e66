import Foundation
import VidflowCore
import XCTest

/// `LocalFile` and `FileDigest`: only regular files, checked without opening, confined when a policy says so.
final class LocalFileTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try XCTUnwrap(LocalFile.realPath(NSTemporaryDirectory())) + "/vidflow-localfile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/user/default/clips", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/other/default", withIntermediateDirectories: true)
        try Data("a".utf8).write(to: URL(fileURLWithPath: directory + "/user/default/clips/a.mp4"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: directory + "/other/default/b.mp4"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    var policy: FileAccessPolicy {
        FileAccessPolicy(userRoot: directory + "/user", allowedRoots: [directory + "/user", directory + "/artifacts"],
                         hiddenPrefixes: [directory + "/user", directory])
    }

    func testHashingRefusesDevicesAndFIFOsAtOnce() throws {
        let fifo = directory + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for path in ["/dev/zero", fifo, directory] {
            let started = Date()
            XCTAssertThrowsError(try FileDigest.sha256(ofFile: path)) { error in
                XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        }
    }

    func testHashingStopsAtTheSizeCap() throws {
        let path = directory + "/big.bin"
        try Data(count: 3000).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FileDigest.sha256(ofFile: path, maxBytes: 2048))
        XCTAssertEqual(try FileDigest.sha256(ofFile: path, maxBytes: 4096).size, 3000)
    }

    func testUnconfinedResolutionNamesTheProblem() {
        XCTAssertThrowsError(try LocalFile.resolve("/dev/zero", parameter: "input", policy: nil)) { error in
            XCTAssertTrue("\(error)".contains("input: '/dev/zero' is not a regular file"), "\(error)")
        }
        XCTAssertThrowsError(try LocalFile.resolve(directory + "/nope", parameter: "input", policy: nil)) { error in
            XCTAssertTrue("\(error)".contains("no file at"), "\(error)")
        }
        XCTAssertEqual(try LocalFile.resolve(directory + "/other/default/b.mp4", parameter: "input", policy: nil),
                       directory + "/other/default/b.mp4")
    }

    func testConfinedResolutionAllowsOwnFilesAndRefusesEverythingElseAlike() throws {
        try FileManager.default.createSymbolicLink(atPath: directory + "/user/default/link.mp4", withDestinationPath: "/etc/passwd")
        XCTAssertEqual(mkfifo(directory + "/user/default/pipe", 0o600), 0)
        let own = directory + "/user/default/clips/a.mp4"
        XCTAssertEqual(try LocalFile.resolve("clips/a.mp4", parameter: "input", policy: policy), own)
        XCTAssertEqual(try LocalFile.resolve("default/clips/a.mp4", parameter: "input", policy: policy), own)
        XCTAssertEqual(try LocalFile.resolve(own, parameter: "input", policy: policy), own)
        XCTAssertEqual(try LocalFile.resolve("file://" + own, parameter: "input", policy: policy), own)
        let refused = ["/etc/passwd", "/dev/zero", "../other/default/b.mp4", "clips/../../../other/default/b.mp4",
                       directory + "/user/../other/default/b.mp4", directory + "/other/default/b.mp4", "link.mp4", "pipe",
                       "clips", "missing.mp4", "~/x", "", "http://example.com/a.mp4", "data:image/png;base64,AA=="]
        for text in refused {
            XCTAssertThrowsError(try LocalFile.resolve(text, parameter: "input", policy: policy), text) { error in
                XCTAssertEqual((error as? StageFailure)?.message, FileAccessPolicy.refusal("input"), text)
            }
        }
    }

    func testScrubbingRemovesTheServersDirectoriesFromText() {
        let text = "probing \(directory)/user/default/a.mp4 into file://\(directory)/artifacts/ab/abc.mp4"
        XCTAssertEqual(policy.scrub(text), "probing default/a.mp4 into artifacts/ab/abc.mp4")
    }
}
