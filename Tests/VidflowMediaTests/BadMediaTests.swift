import Foundation
import VidflowTestSupport
import XCTest
import VidflowMedia

/// Broken inputs must surface as a typed `MediaError`, never a crash.
final class BadMediaTests: XCTestCase {
    private func write(_ bytes: [UInt8], _ name: String, in fx: MediaFixtures) throws -> String {
        let path = fx.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Asserts every entry point rejects `path` with a MediaError.
    private func assertRejected(_ path: String, in fx: MediaFixtures, file: StaticString = #filePath, line: UInt = #line,
                                _ inspect: (MediaError) -> Void = { _ in }) {
        let calls: [(String, () throws -> Void)] = [
            ("probe", { _ = try MediaProbe.probe(path: path) }),
            ("inspect", { _ = try ImageProbe.inspect(path: path) }),
            ("thumbnail", { _ = try Thumbnailer.thumbnail(input: path, output: fx.path("t.jpg"), options: ThumbnailOptions(width: 32, height: 32)) }),
            ("transcode", { _ = try Transcoder.transcode(input: path, output: fx.path("t.mp4"), options: TranscodeOptions(width: 64)) }),
        ]
        for (name, call) in calls {
            XCTAssertThrowsError(try call(), "\(name) accepted \(path)", file: file, line: line) { error in
                guard let media = error as? MediaError else {
                    return XCTFail("\(name): not a MediaError: \(error)", file: file, line: line)
                }
                XCTAssertFalse(media.description.isEmpty)
                inspect(media)
            }
        }
    }

    func testMissingAndZeroLengthFiles() throws {
        let fx = try fixtures()
        assertRejected(fx.path("missing.mp4"), in: fx) { error in
            guard case .fileNotFound = error else { return XCTFail("\(error)") }
        }
        assertRejected(try write([], "empty.mp4", in: fx), in: fx) { error in
            guard case .emptyFile = error else { return XCTFail("\(error)") }
        }
    }

    func testTextFileAndRandomBytes() throws {
        let fx = try fixtures()
        let text = Array("hello, this is not a video\nsecond line\n".utf8)
        assertRejected(try write(text, "notes.txt", in: fx), in: fx)
        assertRejected(try write(text, "notes.mp4", in: fx), in: fx)
        var random = TestRandom(state: 99)
        assertRejected(try write((0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }, "noise.mp4", in: fx), in: fx)
    }

    func testTruncatedMP4() throws {
        let fx = try fixtures()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.clip)))
        let path = try write(Array(bytes.prefix(bytes.count * 3 / 10)), "truncated.mp4", in: fx)
        assertRejected(path, in: fx) { error in
            guard case .openFailed = error else { return XCTFail("\(error)") }
        }
    }

    func testCorruptPNGHeaderAndHugeDimensions() throws {
        let fx = try fixtures()
        var png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.png)))
        var broken = png
        for index in 1...7 { broken[index] = 0x41 }  // destroy the signature
        broken[16] = 0xFF  // and the IHDR width
        XCTAssertThrowsError(try ImageProbe.inspect(path: try write(broken, "broken.png", in: fx))) { error in
            XCTAssertNotNil(error as? MediaError, "\(error)")
        }
        // IHDR claims 20000 pixels wide (CRC fixed so only the size is wrong).
        png.replaceSubrange(16..<20, with: [0x00, 0x00, 0x4E, 0x20])
        let crc = crc32(Array(png[12..<29]))
        png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        let huge = try write(png, "huge.png", in: fx)
        XCTAssertThrowsError(try ImageProbe.inspect(path: huge)) { error in
            guard case .invalidDimensions(let width, _, _) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(width, 20000)
        }
        XCTAssertThrowsError(try MediaProbe.probe(path: huge)) { error in
            XCTAssertNotNil(error as? MediaError, "\(error)")
        }
    }

    func testUnsupportedCodec() throws {
        let fx = try fixtures()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.tinyClip)))
        let avc1 = Array("avc1".utf8)
        let stsd = try XCTUnwrap((0..<(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == Array("stsd".utf8) })
        let index = try XCTUnwrap((stsd..<(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == avc1 })
        bytes.replaceSubrange(index..<index + 4, with: Array("zzzz".utf8))
        let path = try write(bytes, "unknown-codec.mp4", in: fx)
        XCTAssertThrowsError(try MediaProbe.probe(path: path)) { error in
            guard case .unsupportedCodec(_, let codec) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(codec, "zzzz")
        }
        assertRejected(path, in: fx)
    }

    func testAudioOnlyFileHasNoVideo() throws {
        let fx = try fixtures()
        let path = fx.path("tone.m4a")
        try runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine", "-t", "0.5", "-c:a", "aac", path])
        let info = try MediaProbe.probe(path: path)
        XCTAssertNil(info.video)
        XCTAssertEqual(info.audio?.codec, "aac")
        XCTAssertThrowsError(try Transcoder.transcode(input: path, output: fx.path("x.mp4"), options: TranscodeOptions())) { error in
            guard case .noVideoStream = error as? MediaError else { return XCTFail("\(error)") }
        }
    }

    /// PNG's CRC-32 (zlib polynomial).
    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// Seeded mutations of valid small files: every call must succeed or throw MediaError.
final class MediaFuzzTests: XCTestCase {
    func testFuzzProbeInspectAndThumbnail() throws {
        let fx = try fixtures()
        let sources = [
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.tinyClip))),
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.png))),
        ]
        var random = TestRandom(state: 0x5EED)
        let deadline = Date().addingTimeInterval(25)
        var iterations = 0, failures = 0
        let input = fx.path("fuzz.bin"), thumb = fx.path("fuzz.jpg")
        for iteration in 0..<200 {
            guard Date() < deadline else { break }
            var bytes = sources[iteration % 2]
            switch random.below(4) {
            case 0:  // truncate
                bytes = Array(bytes.prefix(random.below(bytes.count)))
            case 1:  // flip bytes in the header region
                for _ in 0...random.below(8) { bytes[random.below(min(bytes.count, 512))] ^= UInt8(1 + random.below(255)) }
            default:  // flip bytes anywhere
                for _ in 0...random.below(16) { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: input))
            let calls: [() throws -> Void] = [
                { _ = try MediaProbe.probe(path: input) },
                { _ = try ImageProbe.inspect(path: input) },
                { _ = try Thumbnailer.thumbnail(input: input, output: thumb, options: ThumbnailOptions(width: 48, height: 32, at: 0.5)) },
            ]
            for call in calls {
                do {
                    try call()
                } catch is MediaError {
                    failures += 1
                } catch {
                    XCTFail("iteration \(iteration): non-MediaError \(error)")
                }
            }
            iterations += 1
        }
        XCTAssertGreaterThanOrEqual(iterations, 100, "fuzzing ran too slowly")
        XCTAssertGreaterThan(failures, 0)
    }
}
