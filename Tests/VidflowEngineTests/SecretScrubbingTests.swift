import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// The engine scrubs secrets from every stage error and log line before storing them, whatever the
/// stage (issue 12, item 9: the last line of defence).
final class SecretScrubbingTests: XCTestCase {
    /// A stage that logs and fails with text quoting a configured secret and a bearer token.
    struct LeakyStage: Stage {
        var typeName = "test.leaky"
        var version = 1
        var schema: StageSchema { StageSchema(parameters: [], outputs: []) }
        func run(_ context: any StageContext) async throws -> StageResult {
            await context.log("calling with Authorization: Bearer tok_live_8d7f6e5d4c3b2a19")
            throw StageFailure(.auth, "upstream said: key configured-secret-4f3e2d1c0b is not allowed")
        }
    }

    func testAStagesErrorAndLogsAreStoredWithoutSecrets() async throws {
        SecretScrubber.register(["configured-secret-4f3e2d1c0b"])
        var registry = StageRegistry()
        registry.register(LeakyStage())
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let definition = try DefinitionValidator(registry: registry).load("""
            name: leaky
            stages:
              - { id: leak, uses: test.leaky }
            """)
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .failed)
        let stages = try await world.stages(id)
        let message = try XCTUnwrap(stages["leak"]?.error?.message)
        XCTAssertEqual(message, "upstream said: key [redacted] is not allowed")
        let events = try await world.store.events(runID: id, after: 0, limit: 100).map(\.data.canonicalJSON).joined()
        XCTAssertTrue(events.contains("Bearer [redacted]"), events)
        var database = Data()
        for suffix in ["", "-wal"] {
            database += (try? Data(contentsOf: URL(fileURLWithPath: world.directory + "/vidflow.sqlite" + suffix))) ?? Data()
        }
        let text = String(decoding: database, as: UTF8.self)
        for secret in ["configured-secret-4f3e2d1c0b", "tok_live_8d7f6e5d4c3b2a19", "4f3e2d1c0b", "8d7f6e5d4c3b"] {
            XCTAssertFalse(events.contains(secret), secret)
            XCTAssertFalse(text.contains(secret), "the SQLite file holds \(secret)")
        }
    }
}
