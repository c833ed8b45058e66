import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// Over HTTP a run reads only the user's own uploads, artifacts of their runs and the operator's own
/// workflow defaults; devices and FIFOs are refused at once; no answer shows a server path.
final class FileConfinementTests: XCTestCase {
    static let packageRoot = RealChainTests.packageRoot
    static let refusal = "not a file you can use: give a file_path you uploaded, an artifact of your runs, or an http(s) URL"

    /// A one-stage inline workflow.
    static func oneStage(_ uses: String, _ with: JSONValue) -> JSONValue {
        ["definition": ["name": "one", "stages": [["id": "p", "uses": .string(uses), "with": with]]]]
    }

    /// The storage directory of the user who uploaded `file` (`<data>/files/<user id>`).
    static func userRoot(_ server: TestServer, holding file: String) throws -> String {
        let files = server.arguments.dataDirectory + "/files"
        let users = try FileManager.default.contentsOfDirectory(atPath: files)
        return try XCTUnwrap(users.map { files + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0 + "/default/" + file) })
    }

    /// Regular files in the artifact store.
    static func artifactCount(_ server: TestServer) -> Int {
        let root = server.arguments.dataDirectory + "/artifacts"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { LocalFile.kind(of: root + "/" + $0) == .regular }.count
    }

    func testDevicesAndFIFOsAnswer400NamingTheFieldWithinSeconds() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            _ = try await FileEndpointTests.upload(client, token: token, path: "seed.txt", data: Data("x".utf8))
            let root = try Self.userRoot(server, holding: "seed.txt")
            XCTAssertEqual(mkfifo(root + "/default/pipe", 0o600), 0)
            for input in ["/dev/zero", "/dev/urandom", "pipe", root + "/default/pipe"] {
                let started = Date()
                let answer = try await client.json(.post, "/v1/workflows", token: token,
                                                   body: Self.oneStage("ffmpeg.probe", ["input": .string(input)]))
                let elapsed = Date().timeIntervalSince(started)
                XCTAssertLessThan(elapsed, 10, "\(input) took \(elapsed) s")
                XCTAssertEqual(answer.status, .badRequest, "\(input): \(answer.body)")
                XCTAssertEqual(answer.body["error"]?["field"], "definition.stages.p.with.input", "\(answer.body)")
                XCTAssertTrue(answer.body["error"]?["message"]?.stringValue?.contains(Self.refusal) == true, "\(answer.body)")
            }
            let count = try await client.json(.get, "/v1/workflows", token: token)
            XCTAssertEqual(count.body["items"]?.arrayValue?.count, 0, "no run was created")
        }
    }

    func testPathsOutsideTheUsersFilesAreRefusedAlikeAndNothingIsImported() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        let sample = Self.packageRoot + "/share/samples/sample.jpg"
        let image = try Data(contentsOf: URL(fileURLWithPath: sample))
        try await server.test { client in
            _ = try await FileEndpointTests.upload(client, token: bob, path: "bobs.jpg", data: image)
            _ = try await FileEndpointTests.upload(client, token: alice, path: "mine.jpg", data: image)
            let bobRoot = try Self.userRoot(server, holding: "bobs.jpg")
            let aliceRoot = try Self.userRoot(server, holding: "mine.jpg")
            try FileManager.default.createSymbolicLink(atPath: aliceRoot + "/default/passwd.jpg", withDestinationPath: "/etc/passwd")
            try FileManager.default.createSymbolicLink(atPath: aliceRoot + "/default/bob.jpg",
                                                       withDestinationPath: bobRoot + "/default/bobs.jpg")
            let bobID = (bobRoot as NSString).lastPathComponent
            let refused = ["/etc/passwd", "/etc/no-such-file", sample, "../../../../../../etc/passwd",
                           "../\(bobID)/default/bobs.jpg", bobRoot + "/default/bobs.jpg", "passwd.jpg", "bob.jpg",
                           "file:///etc/passwd", server.arguments.dataDirectory + "/vidflow.sqlite"]
            for path in refused {
                for (uses, field) in [("ffmpeg.probe", "input"), ("image.upload", "source")] {
                    let answer = try await client.json(.post, "/v1/workflows", token: alice,
                                                       body: Self.oneStage(uses, [field: .string(path)]))
                    XCTAssertEqual(answer.status, .badRequest, "\(uses) \(path): \(answer.body)")
                    XCTAssertEqual(answer.body["error"]?["field"], .string("definition.stages.p.with.\(field)"))
                    XCTAssertEqual(answer.body["error"]?["message"],
                                   .string("invalid workflow: stage 'p': with.\(field): '\(field)': \(Self.refusal)"),
                                   "the same words whether or not the file exists: \(path)")
                }
            }
            // A path that only a template produces is refused when the stage runs, with the same words.
            let templated = try await client.json(.post, "/v1/workflows", token: alice, body: ["definition": [
                "name": "sneaky", "stages": [
                    ["id": "path", "uses": "noop", "with": ["value": .string(sample)]],
                    ["id": "p", "uses": "image.upload", "with": ["source": "${{ stages.path.outputs.value }}"]]]]])
            XCTAssertEqual(templated.status, .accepted, "\(templated.body)")
            let id = try XCTUnwrap(templated.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: alice)
            XCTAssertEqual(done["stages"]?["p"]?["status"], "failed")
            XCTAssertEqual(done["stages"]?["p"]?["error"]?["message"], .string("'source': \(Self.refusal)"))
            XCTAssertEqual(Self.artifactCount(server), 0, "nothing was imported into the artifact store")
        }
    }

    func testTheUsersOwnUploadRunsEndToEndAndAnswersShowNoServerPath() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let image = try Data(contentsOf: URL(fileURLWithPath: Self.packageRoot + "/share/samples/sample.jpg"))
        try await server.test { client in
            let uploaded = try await FileEndpointTests.upload(client, token: token, path: "pics/sample.jpg", data: image)
            XCTAssertEqual(TestResponse.json(uploaded)["file_path"], "pics/sample.jpg")
            _ = try await FileEndpointTests.upload(client, token: token, path: "other.jpg", data: image, bucket: "album")
            let created = try await client.json(.post, "/v1/workflows", token: token, body: ["definition": [
                "name": "own", "stages": [
                    ["id": "upload", "uses": "image.upload", "with": ["source": "pics/sample.jpg"]],
                    ["id": "probe", "uses": "ffmpeg.probe", "with": ["input": "${{ stages.upload.outputs.file }}"]],
                    ["id": "bucket", "uses": "ffmpeg.probe", "needs": [], "with": ["input": "album/other.jpg"]]]]])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token, timeout: 30)
            XCTAssertEqual(done["status"], "completed", "\(done)")
            XCTAssertEqual(done["stages"]?["probe"]?["output"]?["width"]?.intValue, 960, "\(done)")
            let stored = try XCTUnwrap(done["stages"]?["upload"]?["output"]?["file"]?.stringValue)
            XCTAssertTrue(stored.hasPrefix("artifacts/") && stored.hasSuffix(".jpg"), stored)
            XCTAssertEqual(done["stages"]?["bucket"]?["output"]?["file"], "album/other.jpg")
            XCTAssertEqual(done["stages"]?["upload"]?["input"]?["source"], "pics/sample.jpg")

            let task = try await client.json(.post, "/v1/tasks", token: token,
                                             body: ["task_name": "ffmpeg.probe", "input_data": ["input": "pics/sample.jpg"]])
            XCTAssertEqual(task.status, .accepted, "\(task.body)")
            let taskID = try XCTUnwrap(task.body["task_id"]?.stringValue)
            _ = try await client.waitForTerminal(taskID, token: token)
            let taskStatus = try await client.json(.get, "/v1/tasks/\(taskID)/status", token: token)
            XCTAssertEqual(taskStatus.body["result"]?["file"], "default/pics/sample.jpg", "\(taskStatus.body)")

            let refusedTask = try await client.json(.post, "/v1/tasks", token: token,
                                                    body: ["task_name": "ffmpeg.probe", "input_data": ["input": "/etc/passwd"]])
            XCTAssertEqual(refusedTask.status, .badRequest, "\(refusedTask.body)")
            XCTAssertEqual(refusedTask.body["error"]?["field"], "input_data.with.input")

            let data = server.arguments.dataDirectory
            let real = LocalFile.realPath(data) ?? data
            for document in [done, taskStatus.body] {
                let text = document.canonicalJSON
                XCTAssertFalse(text.contains(data) || text.contains(real), "a server path is shown: \(text)")
            }
        }
    }

    func testTheOperatorsWorkflowDefaultsStayReadable() async throws {
        var server = try TestServer()
        defer { server.remove() }
        let sample = server.directory + "/samples/sample.jpg"
        try FileManager.default.createDirectory(atPath: server.directory + "/samples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.packageRoot + "/share/samples/sample.jpg", toPath: sample)
        try server.writeWorkflow("sample", """
            name: sample
            inputs:
              image: { type: file, default: \(sample) }
            stages:
              - { id: upload, uses: image.upload, with: { source: "${{ inputs.image }}" } }
              - { id: probe, uses: ffmpeg.probe, needs: [], with: { input: \(sample) } }
            """)
        let token = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: token, body: ["workflow": "sample"])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token, timeout: 30)
            XCTAssertEqual(done["status"], "completed", "\(done)")
            // The same file named by the user in their own definition is not theirs to read.
            let inline = try await client.json(.post, "/v1/workflows", token: token,
                                               body: Self.oneStage("ffmpeg.probe", ["input": .string(sample)]))
            XCTAssertEqual(inline.status, .badRequest, "\(inline.body)")
        }
        server.arguments.workflowsDirectory = Self.packageRoot + "/workflows"
        try await server.test { client in
            let dry = try await client.json(.post, "/v1/workflows", token: token,
                                            body: ["workflow": "image-to-video", "dry_run": true])
            XCTAssertEqual(dry.status, .ok, "the shipped sample default resolves: \(dry.body)")
            XCTAssertEqual(dry.body["inputs"]?["image"], "share/samples/sample.jpg", "\(dry.body)")
        }
    }
}

extension FileConfinementTests {
    func testAFailedStageOnTheUsersOwnFileSaysWhyWithoutTheServerPath() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            _ = try await FileEndpointTests.upload(client, token: token, path: "notes.txt", data: Data("not a video".utf8))
            let created = try await client.json(.post, "/v1/workflows", token: token,
                                                body: Self.oneStage("ffmpeg.probe", ["input": "notes.txt"]))
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token)
            XCTAssertEqual(done["status"], "failed")
            let message = try XCTUnwrap(done["stages"]?["p"]?["error"]?["message"]?.stringValue)
            XCTAssertTrue(message.contains("default/notes.txt"), "the user's own file is named as they know it: \(message)")
            let events = try await client.executeRequest(uri: "/v1/workflows/\(id)/events", method: .get,
                                                         headers: [.authorization: "Bearer \(token)"], body: nil)
            let data = server.arguments.dataDirectory
            let real = LocalFile.realPath(data) ?? data
            for text in [done.canonicalJSON, String(buffer: events.body)] {
                XCTAssertFalse(text.contains(data) || text.contains(real), "a server path is shown: \(text)")
            }
        }
    }
}
