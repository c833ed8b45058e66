import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// Keys echoed by a provider are never stored (item 9), and a chained download carries the job and
/// provider so OpenAI's authenticated download works without wiring (item 13).
final class OpenAIHardeningTests: XCTestCase {
    private func provider(_ fake: FakeOpenAIServer, key: String) -> OpenAIProvider {
        OpenAIProvider(settings: ProviderSettings(apiKeys: [key], baseURL: fake.baseURL, requestTimeout: 10))
    }

    func testAKeyEchoedInAProviderErrorReachesNeitherTheDatabaseNorTheEvents() async throws {
        let key = "sk-proj-Zq8vR3mK7tY2wP9xL4nB6cD1fG5hJ0sA"
        var script = FakeOpenAIServer.Script()
        script.validKeys = [key]
        script.createFailures = [.json(["error": ["message": .string("Incorrect API key provided: Bearer \(key). You can find your API key at https://platform.openai.com/account/api-keys."),
                                                  "type": "invalid_request_error", "code": "invalid_api_key"]], status: 400)]
        let fake = try await FakeOpenAIServer.start(clip: Data(), script: script)
        let world = try ProvidersWorld(extraProviders: [provider(fake, key: key)])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition("""
            name: leak
            stages:
              - { id: generate, uses: video.generate, with: { provider: openai, prompt: a kite, seconds: 4 } }
            """))
        XCTAssertEqual(run.status, .failed)
        let stages = try await world.stages(run.id)
        let stage = try XCTUnwrap(stages["generate"])
        let message = try XCTUnwrap(stage.error?.message)
        XCTAssertTrue(message.contains("Incorrect API key provided"), "the provider's words stay readable: \(message)")
        XCTAssertTrue(message.contains("[redacted]"), message)
        let events = try await world.store.events(runID: run.id, after: 0, limit: 1000)
        let eventText = events.map(\.data.canonicalJSON).joined(separator: "\n")
        XCTAssertTrue(eventText.contains("Incorrect API key"), "the failure is in the events")
        // No 8-character piece of the key's secret part anywhere: stage error, events, the database file.
        let secretPart = String(key.dropFirst("sk-proj-".count))
        let pieces = stride(from: 0, to: secretPart.count - 7, by: 4).map { String(secretPart.dropFirst($0).prefix(8)) }
        var stored = Data()
        for suffix in ["", "-wal"] {
            stored += (try? Data(contentsOf: URL(fileURLWithPath: world.directory + "/vidflow.sqlite" + suffix))) ?? Data()
        }
        let database = String(decoding: stored, as: UTF8.self)
        XCTAssertTrue(database.contains("Incorrect API key provided"), "the read covers the stored error")
        for piece in pieces {
            XCTAssertFalse(message.contains(piece), "stage error holds '\(piece)'")
            XCTAssertFalse(eventText.contains(piece), "events hold '\(piece)'")
            XCTAssertFalse(database.contains(piece), "the SQLite file holds '\(piece)'")
        }
        await fake.stop()
    }

    func testAChainWithNoWiringDownloadsFromOpenAIWithTheKey() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let fake = try await FakeOpenAIServer.start(clip: try media.clipData())
        let world = try ProvidersWorld(extraProviders: [provider(fake, key: "sk-test-good")])
        defer { world.cleanUp() }
        for yaml in ["""
            name: chained
            workflow_chain: [video.generate, video.poll, video.download]
            video.generate: { provider: openai, prompt: a red kite, seconds: 4 }
            video.poll: { interval: 0.05, max_interval: 0.2 }
            """, """
            name: listed
            stages:
              - { id: generate, uses: video.generate, with: { provider: openai, prompt: a red kite, seconds: 4 } }
              - { id: poll, uses: video.poll, with: { interval: 0.05, max_interval: 0.2 } }
              - { id: download, uses: video.download }
            """] {
            let run = try await world.run(try world.definition(yaml))
            XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
            let stages = try await world.stages(run.id)
            XCTAssertEqual(stages["download"]?.output?["width"], 320)
        }
        let downloads = fake.server.requests.filter { $0.path.hasSuffix("/content") }
        XCTAssertEqual(downloads.count, 2)
        XCTAssertTrue(downloads.allSatisfy { $0.headers["authorization"] == "Bearer sk-test-good" }, "downloads carry the key")
        await fake.stop()
    }

    func testADownloadWithOnlyAURLAndNoUpstreamStillValidates() async throws {
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        XCTAssertNoThrow(try world.definition("""
            name: fetch
            stages:
              - { id: download, uses: video.download, with: { url: "https://example.com/v.mp4" } }
            """), "job_id/provider defaults apply only where the stage before provides them")
    }
}
