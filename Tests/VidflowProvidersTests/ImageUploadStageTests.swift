import Foundation
import VidflowCore
import VidflowProviders
import XCTest

final class ImageUploadStageTests: XCTestCase {
    func testUploadFromAPathStoresTheImageContentAddressed() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let jpeg = try media.jpeg()
        let context = try DirectContext(parameters: ["source": .string(jpeg)], directory: media.directory + "/data")
        let result = try await ImageUploadStage().run(context)
        XCTAssertEqual(result.outputs["width"], 320)
        XCTAssertEqual(result.outputs["height"], 240)
        XCTAssertEqual(result.outputs["mime"], "image/jpeg")
        let stored = try XCTUnwrap(result.outputs["file"]?.stringValue)
        XCTAssertNotEqual(stored, jpeg, "the image is copied into the artifact store")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: stored)), try Data(contentsOf: URL(fileURLWithPath: jpeg)))
        XCTAssertEqual(result.outputs["sha256"]?.stringValue, try FileDigest.sha256(ofFile: jpeg).hash)
        XCTAssertTrue(FileManager.default.fileExists(atPath: jpeg), "the source is left in place")
        XCTAssertEqual(result.artifacts.count, 1)
    }

    func testUploadFromADataURIDecodesAndStoresIt() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try media.jpeg()))
        let uri = "data:image/jpeg;base64," + bytes.base64EncodedString()
        let context = try DirectContext(parameters: ["source": .string(uri)], directory: media.directory + "/data")
        let result = try await ImageUploadStage().run(context)
        XCTAssertEqual(result.outputs["width"], 320)
        XCTAssertEqual(result.outputs["sha256"]?.stringValue, FileDigest.sha256(of: bytes))
    }

    func testANonImageFailsWithAClearInvalidInput() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let text = try media.notAnImage()
        let context = try DirectContext(parameters: ["source": .string(text)], directory: media.directory + "/data")
        let failure = await stageFailure(of: ImageUploadStage(), context)
        XCTAssertEqual(failure?.kind, .invalidInput)
        XCTAssertTrue(failure?.message.contains("not a usable image") ?? false, failure?.message ?? "")
        XCTAssertTrue(failure?.message.contains("notes.jpg") ?? false, "the message names the source")
    }

    func testAnImageOverTheSizeCapIsRefusedBeforeItIsDecodedAndNothingIsStored() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let path = media.directory + "/huge.jpg"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([0xFF, 0xD8, 0xFF, 0xE0])))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(ImageUploadStage.maxImageBytes + 1))   // sparse: no disk used
        try handle.close()
        let context = try DirectContext(parameters: ["source": .string(path)], directory: media.directory + "/data")
        let failure = await stageFailure(of: ImageUploadStage(), context)
        XCTAssertEqual(failure?.kind, .invalidInput)
        XCTAssertTrue(failure?.message.contains("at most 50 MiB") ?? false, failure?.message ?? "")
        let stored = FileManager.default.enumerator(atPath: media.directory + "/data")?.allObjects.compactMap { $0 as? String } ?? []
        XCTAssertFalse(stored.contains { $0.hasSuffix(".jpg") }, "nothing imported: \(stored)")
    }

    func testAMissingFileAndABadDataURIAreInvalidInput() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        for source in [media.directory + "/missing.png", "data:image/png;base64,@@@not-base64@@@", "data:image/png,hello"] {
            let context = try DirectContext(parameters: ["source": .string(source)], directory: media.directory + "/data")
            let failure = await stageFailure(of: ImageUploadStage(), context)
            XCTAssertEqual(failure?.kind, .invalidInput, source)
        }
    }

    func testUploadFromAnHTTPURLOnLoopback() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        _ = try media.jpeg("served.jpg")
        let server = try LoopbackFileServer(root: media.directory)
        defer { server.stop() }
        let context = try DirectContext(parameters: ["source": .string(server.url("served.jpg"))], directory: media.directory + "/data")
        let result = try await ImageUploadStage().run(context)
        XCTAssertEqual(result.outputs["width"], 320)
        XCTAssertEqual(result.outputs["mime"], "image/jpeg")

        let missing = try DirectContext(parameters: ["source": .string(server.url("nope.jpg"))], directory: media.directory + "/data")
        let failure = await stageFailure(of: ImageUploadStage(), missing)
        XCTAssertEqual(failure?.kind, .invalidInput, "a 404 for a source image is the caller's mistake")
        XCTAssertTrue(failure?.message.contains("404") ?? false, failure?.message ?? "")
    }
}
