import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
@testable import VidflowServer
import XCTest

/// Multipart bodies read with MultipartKit's streaming parser: however the body is cut into chunks, with
/// quoted, bare and RFC 5987 parameters; a body without its final boundary or with a part over the limit
/// is refused and leaves no temp file.
final class MultipartStreamingTests: XCTestCase {
    let boundary = "----vidflow-split-7d1f"
    var scratch = ""

    override func setUp() {
        scratch = NSTemporaryDirectory() + "vidflow-multipart-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Bytes that look like the delimiter's beginnings (`\r`, `\r\n--`, the boundary without its last byte).
    var trickyFile: Data {
        var data = Data("\r\r\n\r\n-\r\n--\r\n--\(boundary.dropLast())x\r\n".utf8)
        data.append(UploadStorageTests.randomData(70_000))
        data.append(Data(String(repeating: "a line\r\n--\(boundary.prefix(9))\r\r\n\r", count: 300).utf8))
        data.append(Data("\r\n--\(boundary.dropLast())".utf8))
        return data
    }

    func body(file: Data, final: Bool = true) -> [UInt8] {
        var text = "preamble to ignore\r\n--\(boundary)\r\n"
        text += "Content-Disposition: form-data; name=\"prompt\"\r\n\r\nwords; with \"quotes\"\r\n--\(boundary)\r\n"
        text += "Content-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--\(boundary)\r\n"
        text += "Content-Disposition: form-data; name=\"file\"; filename=\"clip.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        var bytes = Array(text.utf8) + Array(file)
        bytes += Array("\r\n--\(boundary)".utf8)
        if final { bytes += Array("--\r\nepilogue, ignored".utf8) }
        return bytes
    }

    func reader(limit: Int = 1 << 20) -> MultipartStreamReader {
        MultipartStreamReader(boundary: boundary, limit: limit, scratchDirectory: scratch)
    }

    static func chunks(_ bytes: [UInt8], size: Int) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + size)
                continuation.yield(ByteBuffer(bytes: bytes[start..<end]))
                start = end
            }
            continuation.finish()
        }
    }

    func scratchFiles() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] }

    func testBoundariesSplitAcrossChunksOfAnySizeReadTheSameParts() async throws {
        let file = trickyFile
        let bytes = body(file: file)
        for size in [1, 2, 3, 7, 13, 64, 4099, 65_537, bytes.count] {
            let parts = try await reader().read(Self.chunks(bytes, size: size))
            XCTAssertEqual(parts.map(\.name), ["prompt", "empty", "file"], "chunks of \(size)")
            XCTAssertEqual(parts[0].text, "words; with \"quotes\"")
            XCTAssertEqual(parts[1].text, "")
            XCTAssertEqual(parts[2].filename, "clip.bin")
            XCTAssertEqual(parts[2].contentType, "application/octet-stream")
            XCTAssertEqual(parts[2].size, file.count)
            let path = try XCTUnwrap(parts[2].file)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), file, "the file part byte for byte, chunks of \(size)")
            try FileManager.default.removeItem(atPath: path)
        }
    }

    func testQuotedBareAndExtendedParametersAreRead() {
        let bare = ContentDisposition(parsing: "form-data; name=file; filename=clip.bin")
        XCTAssertEqual(bare.type, "form-data")
        XCTAssertEqual(bare.name, "file")
        XCTAssertEqual(bare.filename, "clip.bin")
        let quoted = ContentDisposition(parsing: #"form-data;name="a; b";  FILENAME="say \"hi\".png""#)
        XCTAssertEqual(quoted.name, "a; b")
        XCTAssertEqual(quoted.filename, #"say "hi".png"#)
        let extended = ContentDisposition(parsing: #"form-data; name="file"; filename="fallback.png"; filename*=UTF-8''caf%C3%A9%20cr%C3%A8me.png"#)
        XCTAssertEqual(extended.filename, "café crème.png", "filename* wins and is percent-decoded")
        let latin = ContentDisposition(parsing: "attachment; filename*=iso-8859-1'en'%A3%20rates.txt")
        XCTAssertEqual(latin.filename, "£ rates.txt")
        let broken = ContentDisposition(parsing: #"form-data; name=f; filename="ok.png"; filename*=UTF-8''bad%ZZ"#)
        XCTAssertEqual(broken.filename, "ok.png", "an undecodable filename* falls back to filename")
        XCTAssertEqual(ContentDisposition.attachment(filename: "café \"1\".mp4"),
                       #"attachment; filename="caf_ _1_.mp4"; filename*=UTF-8''caf%C3%A9%20%221%22.mp4"#)
    }

    func testFileNamesKeepOnlyTheirLastComponent() {
        XCTAssertEqual(MultipartForm.fileName("../../etc/passwd"), "passwd")
        XCTAssertEqual(MultipartForm.fileName(#"C:\fakepath\photo.png"#), "photo.png")
        XCTAssertEqual(MultipartForm.fileName("a\u{0}b\r\n.png"), "ab.png")
        XCTAssertNil(MultipartForm.fileName(".."))
        XCTAssertNil(MultipartForm.fileName("dir/"))
        XCTAssertNil(MultipartForm.fileName(""))
    }

    func testABodyWithoutItsFinalBoundaryIs400NamingItAndLeavesNoTempFile() async throws {
        let unfinished = body(file: trickyFile, final: false)
        for cut in [unfinished, Array(body(file: trickyFile).prefix(400)), unfinished + Array("\r\n".utf8),
                    unfinished + Array("\r\nContent-Dispo".utf8)] {
            do {
                _ = try await reader().read(Self.chunks(cut, size: 5))
                XCTFail("a body without its final boundary must be refused")
            } catch let error as APIError {
                XCTAssertEqual(error.status, .badRequest)
                XCTAssertEqual(error.code, "malformed_multipart")
                XCTAssertEqual(error.field, "(body)")
                XCTAssertTrue(error.message.contains("final boundary '--\(boundary)--' is missing"), error.message)
            }
            XCTAssertEqual(scratchFiles(), [], "no temp file left")
        }
    }

    func testAFilePartOverTheLimitIs413NamingThePartAndLeavesNoTempFile() async throws {
        do {
            _ = try await reader(limit: 10_000).read(Self.chunks(body(file: trickyFile), size: 333))
            XCTFail("the part is over the limit")
        } catch let error as APIError {
            XCTAssertEqual(error.status, .contentTooLarge)
            XCTAssertEqual(error.field, "file")
        }
        XCTAssertEqual(scratchFiles(), [])
    }

    func testGarbageWithoutABoundaryIs400() async throws {
        do {
            _ = try await reader().read(Self.chunks(Array(repeating: UInt8(ascii: "x"), count: 200_000), size: 4096))
            XCTFail("no boundary")
        } catch let error as APIError {
            XCTAssertEqual(error.code, "malformed_multipart")
            XCTAssertTrue(error.message.contains("no boundary found"), error.message)
        }
    }

    /// Through a real socket: the body arrives in odd-sized writes; bare and RFC 5987 parameters; a
    /// `filename*` holding `../` is stored under its last component only, inside the user's storage.
    func testUploadsStreamedInOddChunksKeepTheirDecodedFileNameAndNeverLeaveTheStorage() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let data = trickyFile
        let mark = self.boundary
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            func upload(_ disposition: String, chunk: Int) async throws -> (HTTPResponse.Status, JSONValue) {
                var bytes = Array("--\(mark)\r\nContent-Disposition: form-data; name=bucket\r\n\r\nclips\r\n".utf8)
                bytes += Array("--\(mark)\r\nContent-Disposition: \(disposition)\r\nContent-Type: image/png\r\n\r\n".utf8)
                bytes += Array(data) + Array("\r\n--\(mark)--\r\n".utf8)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/files/upload")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(alice)")
                request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(mark)")
                request.body = .stream(Self.chunks(bytes, size: chunk), length: .known(Int64(bytes.count)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                return (HTTPResponse.Status(code: Int(response.status.code)), (try? JSONValue.parse(text)) ?? .string(text))
            }
            let (status, answer) = try await upload("form-data; name=file; filename*=UTF-8''caf%C3%A9%20%C3%A0.png", chunk: 7)
            XCTAssertEqual(status, .created, "\(answer)")
            XCTAssertEqual(answer["file_path"], "café à.png")
            XCTAssertEqual(answer["bucket"], "clips")
            let root = try UploadStorageTests.storage(server, user: "alice")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/clips/café à.png")), data)

            let (escaped, hostile) = try await upload(
                #"form-data; name="file"; filename="x.png"; filename*=UTF-8''..%2F..%2F..%2Fevil.png"#, chunk: 4099)
            XCTAssertEqual(escaped, .created, "\(hostile)")
            XCTAssertEqual(hostile["file_path"], "evil.png")
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/clips/evil.png"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.arguments.dataDirectory + "/evil.png"))

            let (refused, error) = try await upload("form-data; name=\"file\"; filename*=UTF-8''..", chunk: 1000)
            XCTAssertEqual(refused, .badRequest, "\(error)")
            XCTAssertEqual(error["error"]?["field"], "file_path")
            XCTAssertEqual(UploadStorageTests.tempFiles(server), [], "no temp file left")
        }
    }
}
