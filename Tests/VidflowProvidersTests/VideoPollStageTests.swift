import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

final class VideoPollStageTests: XCTestCase {
    private let workflow = """
        name: scripted
        defaults: { retry: { max_attempts: 1 } }
        stages:
          - { id: generate, uses: video.generate, with: { provider: scripted, prompt: "a fox" } }
          - { id: poll, uses: video.poll, with: { interval: 0.02, max_interval: 0.05, max_wait: 20 } }
          - { id: download, uses: video.download, with: { url: "${{ stages.poll.outputs.url }}" } }
        """

    func testAProviderFailureFailsThePollWithRestartFromAndRetryGeneratesAgain() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let provider = ScriptedProvider(scripts: [.fail("content moderation"), .succeed(url: URL(fileURLWithPath: clip).absoluteString)])
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition(workflow))
        XCTAssertEqual(run.status, .failed)
        let stages = try await world.stages(run.id)
        let error = try XCTUnwrap(stages["poll"]?.error)
        XCTAssertEqual(error.kind, .providerFailed)
        XCTAssertEqual(error.restartFrom, "generate", "the default restart_from is the submitting stage")
        XCTAssertTrue(error.message.contains("content moderation"), error.message)
        XCTAssertEqual(provider.submits, 1)

        let retried = try await world.run(try world.definition(workflow), mode: .retry, base: run.id)
        XCTAssertEqual(retried.status, .completed, "\(String(describing: retried.error))")
        let executed = try await world.executed(retried.id)
        XCTAssertEqual(executed, ["generate", "poll", "download"])
        XCTAssertEqual(provider.submits, 2, "retry submitted a new job instead of polling the failed one")
        let downloaded = try await world.stages(retried.id)
        XCTAssertEqual(downloaded["download"]?.output?["width"], 320)
    }

    func testWaitingLongerThanMaxWaitFailsWithTimeout() async throws {
        let provider = ScriptedProvider(scripts: [.runForever])
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let started = Date()
        let yaml = workflow.replacingOccurrences(of: "max_wait: 20", with: "max_wait: 0.3")
        let run = try await world.run(try world.definition(yaml))
        XCTAssertEqual(run.status, .failed)
        let stages = try await world.stages(run.id)
        let error = try XCTUnwrap(stages["poll"]?.error)
        XCTAssertEqual(error.kind, .timeout)
        XCTAssertTrue(error.message.contains("max_wait"), error.message)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testPollReportsProgressAndOutputsTheResultLocation() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local", pollAfterMs: 20)
        let id = try await provider.submit(VideoRequest(prompt: "dots", seconds: 1, size: "160x90", seed: 3, fps: 10),
                                           idempotencyKey: "k")
        let context = try DirectContext(parameters: ["job_id": .string(id), "provider": "local", "max_wait": 60,
                                                     "interval": 0.02, "max_interval": 0.1],
                                        directory: media.directory + "/data")
        let result = try await VideoPollStage(providers: ProviderRegistry([provider])).run(context)
        XCTAssertEqual(result.outputs["status"], "succeeded")
        XCTAssertEqual(result.outputs["job_id"]?.stringValue, id)
        XCTAssertTrue(result.outputs["url"]?.stringValue?.hasPrefix("file://") ?? false)
        XCTAssertEqual(context.progress.last, 100)
    }
}
