import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// `video.poll` finishing on provider callbacks (through `ProviderCallbackHub`) instead of its next poll.
final class CallbackPollTests: XCTestCase {
    private let workflow = """
        name: callbacks
        defaults: { retry: { max_attempts: 1 } }
        stages:
          - { id: generate, uses: video.generate, with: { provider: scripted, prompt: "a fox" } }
          - { id: poll, uses: video.poll, with: { interval: 20, max_interval: 20, max_wait: 60 } }
          - { id: download, uses: video.download, with: { url: "${{ stages.poll.outputs.url }}" } }
        """

    func testACallbackEndsThePollWithoutWaitingForItsNextRequest() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = URL(fileURLWithPath: try media.clip()).absoluteString
        let provider = ScriptedProvider(scripts: [.runForever], callbacks: true)
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let id = try await world.engine.submit(RunRequest(definition: try world.definition(workflow)))
        while provider.polls == 0 { try await Task.sleep(for: .milliseconds(20)) }
        let started = Date()
        world.providers.callbacks.deliver(provider: "scripted", ProviderCallbackUpdate(
            jobID: "job-1", status: VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: clip))))
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "not the 20 s poll interval")
        XCTAssertEqual(provider.polls, 1, "the callback answered; no second status request")
    }

    func testACallbackArrivingBeforeTheFirstPollCompletesIt() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = URL(fileURLWithPath: try media.clip()).absoluteString
        let provider = ScriptedProvider(scripts: [.runForever], callbacks: true)
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        world.providers.callbacks.deliver(provider: "scripted", ProviderCallbackUpdate(
            jobID: "job-1", status: VideoJobStatus(state: .succeeded, result: ResultLocation(url: clip))))
        let run = try await world.run(try world.definition(workflow))
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(provider.polls, 0)
    }

    func testAFailureCallbackFailsThePollWithTheProvidersReason() async throws {
        let provider = ScriptedProvider(scripts: [.runForever], callbacks: true)
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let id = try await world.engine.submit(RunRequest(definition: try world.definition(workflow)))
        while provider.polls == 0 { try await Task.sleep(for: .milliseconds(20)) }
        world.providers.callbacks.deliver(provider: "scripted", ProviderCallbackUpdate(
            jobID: "job-1", status: VideoJobStatus(state: .failed, errorMessage: "NSFW content detected", errorKind: .rejectedContent)))
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .failed)
        let poll = try await world.stages(run.id)["poll"]
        XCTAssertEqual(poll?.error?.kind, .rejectedContent)
        XCTAssertTrue(poll?.error?.message.contains("NSFW content detected") == true)
    }

    func testALateRunningUpdateDoesNotHideAnEarlierTerminalOne() {
        let hub = ProviderCallbackHub()
        hub.deliver(provider: "p", ProviderCallbackUpdate(jobID: "j", status: VideoJobStatus(state: .succeeded)))
        hub.deliver(provider: "p", ProviderCallbackUpdate(jobID: "j", status: VideoJobStatus(state: .running)))
        XCTAssertEqual(hub.latest(provider: "p", jobID: "j")?.state, .succeeded)
        XCTAssertNil(hub.latest(provider: "other", jobID: "j"))
    }

    func testAWaitWithoutACallbackEndsAtItsTimeout() async {
        let hub = ProviderCallbackHub()
        let started = ContinuousClock.now
        let status = await hub.wait(provider: "p", jobID: "j", upTo: .milliseconds(100))
        XCTAssertNil(status)
        XCTAssertLessThan(started.duration(to: .now), .seconds(5))
    }
}

/// Cancelling a run stops the paid job at the provider; a poll that merely times out does not.
final class RunCancelTests: XCTestCase {
    func testCancellingARunCancelsItsJobAtTheProvider() async throws {
        let provider = ScriptedProvider(scripts: [.runForever])
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: cancel
            stages:
              - { id: generate, uses: video.generate, with: { provider: scripted, prompt: "a fox" } }
              - { id: poll, uses: video.poll, with: { interval: 0.02, max_interval: 0.05, max_wait: 60 } }
            """)
        let id = try await world.engine.submit(RunRequest(definition: definition))
        while provider.polls < 2 { try await Task.sleep(for: .milliseconds(10)) }
        try await world.engine.cancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .cancelled)
        XCTAssertEqual(provider.cancelled, ["job-1"])
    }

    func testAPollThatReachesMaxWaitLeavesTheJobRunning() async throws {
        let provider = ScriptedProvider(scripts: [.runForever])
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        let run = try await world.run(try world.definition("""
            name: wait
            defaults: { retry: { max_attempts: 1 } }
            stages:
              - { id: generate, uses: video.generate, with: { provider: scripted, prompt: "a fox" } }
              - { id: poll, uses: video.poll, with: { interval: 0.02, max_interval: 0.05, max_wait: 0.2 } }
            """))
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(provider.cancelled, [], "a retry may still poll the same job")
    }
}
