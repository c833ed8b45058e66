import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// `test.read`: reads the file its `input` names, through the run's file access, and passes the path on.
struct ReadStage: Stage {
    var typeName = "test.read"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("input", .file, required: true)], outputs: [OutputSpec("file", .file)])
    }
    func run(_ context: any StageContext) async throws -> StageResult {
        let path = try context.localFile(try context.requireString("input"), parameter: "input")
        return StageResult(outputs: ["file": .string(path)])
    }
}

/// `test.blocking`: blocking work on a dispatch thread: hashing `path` (which notices cancellation), or
/// sleeping `sleep_ms` while ignoring it.
struct BlockingStage: Stage {
    var typeName = "test.blocking"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("path", .string), ParameterSpec("sleep_ms", .int)], outputs: [])
    }
    func run(_ context: any StageContext) async throws -> StageResult {
        let path = context.string("path"), sleep = context.int("sleep_ms")
        try await runBlocking { _ in
            if let path { _ = try FileDigest.sha256(ofFile: path) }
            if let sleep { Thread.sleep(forTimeInterval: Double(sleep) / 1000) }
        }
        return StageResult(outputs: [:])
    }
}

final class FileAccessEngineTests: XCTestCase {
    let registry = StageRegistry([NoopStage(), FileStage(), ReadStage(), BlockingStage()])

    func testAStageTimeoutStopsBlockingHashingThatNoticesCancellation() async throws {
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let big = world.directory + "/big.bin"
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: nil))
        XCTAssertEqual(truncate(big, 3 << 30), 0)   // 3 GiB, sparse: seconds of hashing
        let definition = try DefinitionValidator(registry: registry).load("""
            name: t
            stages: [{ id: h, uses: test.blocking, timeout: 200ms, retry: 1, with: { path: "\(big)" } }]
            """)
        let started = Date()
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let run = try await world.engine.wait(id)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.error?.kind, .timeout, "\(String(describing: run.error))")
        XCTAssertLessThan(elapsed, 1.5, "hashing went on after the timeout cancelled it")
    }

    func testAStageTimeoutCoversBlockingWorkThatIgnoresCancellation() async throws {
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let definition = try DefinitionValidator(registry: registry).load("""
            name: t
            stages: [{ id: s, uses: test.blocking, timeout: 200ms, retry: 1, with: { sleep_ms: 8000 } }]
            """)
        let started = Date()
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let run = try await world.engine.wait(id)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(run.error?.kind, .timeout, "\(String(describing: run.error))")
        XCTAssertLessThan(elapsed, 5, "the stage outlived its timeout by more than the grace period")
    }

    func testAConfinedRunRefusesAPathMadeByATemplateAtRunTimeAndKeepsItsPolicyInTheStore() async throws {
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let userRoot = world.directory + "/files/u1"
        try FileManager.default.createDirectory(atPath: userRoot + "/default", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: userRoot + "/default/mine.txt"))
        let real = try XCTUnwrap(LocalFile.realPath(world.directory))
        let policy = FileAccessPolicy(userRoot: real + "/files/u1", allowedRoots: [real + "/files/u1", real + "/artifacts"],
                                      hiddenPrefixes: [real + "/files/u1", real])
        let definition = try DefinitionValidator(registry: registry).load("""
            name: t
            stages:
              - { id: made, uses: test.file, with: { text: "x" } }
              - { id: artifact, uses: test.read, needs: [made], with: { input: "${{ stages.made.outputs.file }}" } }
              - { id: own, uses: test.read, needs: [], with: { input: "mine.txt" } }
              - { id: path, uses: noop, needs: [], with: { value: "/etc/passwd" } }
              - { id: sneaky, uses: test.read, needs: [path], with: { input: "${{ stages.path.outputs.value }}" } }
            """)
        let id = try await world.engine.submit(RunRequest(definition: definition, fileAccess: policy))
        let run = try await world.engine.wait(id)
        let stages = try await world.stages(id)
        XCTAssertEqual(stages["artifact"]?.status, .completed, "an artifact of the run itself is readable")
        XCTAssertEqual(stages["own"]?.status, .completed, "a file in the user's default bucket is readable")
        XCTAssertEqual(stages["own"]?.output?["file"], .string(real + "/files/u1/default/mine.txt"))
        XCTAssertEqual(stages["sneaky"]?.status, .failed)
        XCTAssertEqual(stages["sneaky"]?.error?.message, FileAccessPolicy.refusal("input"))
        XCTAssertEqual(run.status, .failed)
        let stored = try await world.store.run(id)
        XCTAssertEqual(stored?.fileAccess, policy, "recovery after a restart reads the same confinement")
    }

    func testAConfinedRunIsRefusedBeforeItIsCreatedWhenALiteralPathIsOutside() async throws {
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let policy = FileAccessPolicy(userRoot: world.directory + "/files/u1", allowedRoots: [world.directory + "/files/u1"])
        let definition = try DefinitionValidator(registry: registry).load("""
            name: t
            stages: [{ id: r, uses: test.read, with: { input: /etc/passwd } }]
            """)
        do {
            _ = try await world.engine.submit(RunRequest(definition: definition, fileAccess: policy))
            XCTFail("a path outside the allowed roots was accepted")
        } catch let error as EngineError {
            guard case .invalid(let problems) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.issues.first?.field, "with.input")
            XCTAssertEqual(problems.issues.first?.message, FileAccessPolicy.refusal("input"))
        }
        let runs = try await world.store.runs(status: nil, limit: 10, createdBefore: nil)
        XCTAssertTrue(runs.isEmpty)
    }
}
