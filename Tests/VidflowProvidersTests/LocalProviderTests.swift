import Foundation
import VidflowCore
import VidflowProviders
import VidflowTestSupport
import XCTest

final class LocalProviderTests: XCTestCase {
    private func small(_ prompt: String = "a red fox in the snow", seed: Int? = 7, image: String? = nil) -> VideoRequest {
        VideoRequest(prompt: prompt, seconds: 1, size: "320x180", seed: seed, fps: 12, image: image)
    }

    func testSubmitReturnsAtOnceAndTheJobProgressesToAPlayableVideo() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local", pollAfterMs: 50)
        let started = Date()
        let id = try await provider.submit(small(image: try media.jpeg()), idempotencyKey: "k-1")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "submit does not wait for the render")
        let first = try await provider.status(of: id)
        XCTAssertTrue([.queued, .running, .succeeded].contains(first.state))
        let done = try await waitForJob(provider, id)
        XCTAssertEqual(done.state, .succeeded)
        XCTAssertEqual(done.progress, 100)
        let url = try XCTUnwrap(done.result?.url)
        XCTAssertTrue(url.hasPrefix("file://"))
        let path = try XCTUnwrap(URL(string: url)).path
        let report = try ProbeReport(path: path)
        XCTAssertEqual(report.video?["codec_name"] as? String, "h264")
        XCTAssertEqual(report.width, 320)
        XCTAssertEqual(report.height, 180)
        XCTAssertEqual(report.duration, 1, accuracy: 0.2)
        let location = try await provider.resultLocation(of: id)
        XCTAssertEqual(location.url, url)
    }

    func testTheSameSeedRendersTheSameBytesAndAnotherSeedDoesNot() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local", pollAfterMs: 50)
        var hashes: [String] = []
        for (key, seed) in [("a", 7), ("b", 7), ("c", 8)] {
            let id = try await provider.submit(small(seed: seed), idempotencyKey: key)
            let status = try await waitForJob(provider, id)
            let url = try XCTUnwrap(status.result?.url)
            hashes.append(try FileDigest.sha256(ofFile: try XCTUnwrap(URL(string: url)).path).hash)
        }
        XCTAssertEqual(hashes[0], hashes[1], "deterministic per seed")
        XCTAssertNotEqual(hashes[0], hashes[2])
    }

    func testLookupFindsTheJobByIdempotencyKeyAndASecondSubmitWithTheKeyPaysNothing() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local", pollAfterMs: 50)
        let missing = try await provider.lookup(idempotencyKey: "vf-run-generate", request: VideoRequest(prompt: "x"))
        XCTAssertNil(missing)
        let id = try await provider.submit(small(), idempotencyKey: "vf-run-generate")
        let found = try await provider.lookup(idempotencyKey: "vf-run-generate", request: VideoRequest(prompt: "x"))
        XCTAssertEqual(found, id)
        let again = try await provider.submit(small(), idempotencyKey: "vf-run-generate")
        XCTAssertEqual(again, id)
        XCTAssertEqual(try provider.jobIDs(), [id], "exactly one job file")
        _ = try await waitForJob(provider, id)
    }

    func testAnotherProviderInstanceOverTheSameDirectoryCanPollAFinishedJob() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let directory = media.directory + "/local"
        let first = LocalProvider(directory: directory, pollAfterMs: 50)
        let id = try await first.submit(small(), idempotencyKey: "k")
        let rendered = try await waitForJob(first, id)

        let second = LocalProvider(directory: directory, pollAfterMs: 50)
        let status = try await second.status(of: id)
        XCTAssertEqual(status.state, .succeeded)
        XCTAssertEqual(status.result, rendered.result)
        let found = try await second.lookup(idempotencyKey: "k", request: VideoRequest(prompt: "x"))
        XCTAssertEqual(found, id)
    }

    func testAJobWhoseVideoWentMissingIsRenderedAgainIdentically() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let directory = media.directory + "/local"
        let provider = LocalProvider(directory: directory, pollAfterMs: 50)
        let id = try await provider.submit(small(), idempotencyKey: "k")
        let rendered = try await waitForJob(provider, id)
        let url = try XCTUnwrap(rendered.result?.url)
        let path = try XCTUnwrap(URL(string: url)).path
        let before = try FileDigest.sha256(ofFile: path).hash
        try FileManager.default.removeItem(atPath: path)

        let recovering = LocalProvider(directory: directory, pollAfterMs: 50)
        let status = try await waitForJob(recovering, id)
        XCTAssertEqual(status.state, .succeeded)
        XCTAssertEqual(try FileDigest.sha256(ofFile: path).hash, before, "the re-render is byte-identical")
        XCTAssertEqual(try recovering.jobIDs(), [id], "re-rendering is not a new submit")
    }

    func testAspectRatioAndResolutionChooseTheSize() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local", pollAfterMs: 50)
        let request = VideoRequest(prompt: "tall", seconds: 0.5, aspectRatio: "9:16", resolution: "180p", seed: 1, fps: 8)
        let id = try await provider.submit(request, idempotencyKey: "tall")
        let status = try await waitForJob(provider, id)
        let url = try XCTUnwrap(status.result?.url)
        let report = try ProbeReport(path: try XCTUnwrap(URL(string: url)).path)
        XCTAssertEqual(report.width, 180)
        XCTAssertEqual(report.height, 320)
    }

    func testABadImageIsRejectedAtSubmitWithoutAJob() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let provider = LocalProvider(directory: media.directory + "/local")
        do {
            _ = try await provider.submit(small(image: try media.notAnImage()), idempotencyKey: "bad")
            XCTFail("expected a rejection")
        } catch let error as ProviderError {
            XCTAssertEqual(error.kind, .invalidInput)
        }
        XCTAssertEqual(try provider.jobIDs(), [])
    }

    func testUnsupportedFieldsAreDroppedWithWarnings() throws {
        let local = LocalProvider(directory: NSTemporaryDirectory() + "unused")
        let request = VideoRequest(prompt: "x", seconds: 300, aspectRatio: "5:4", negativePrompt: "blur",
                                   lastFrame: "/tmp/last.png", generateAudio: true)
        let (adapted, warnings) = try request.adapted(to: local.capabilities, provider: "local", onUnsupported: .nearest)
        XCTAssertNil(adapted.negativePrompt)
        XCTAssertNil(adapted.lastFrame)
        XCTAssertNil(adapted.generateAudio)
        XCTAssertEqual(adapted.aspectRatio, "4:3")
        XCTAssertEqual(adapted.seconds, 60)
        XCTAssertEqual(adapted.model, "local-v1")
        XCTAssertEqual(warnings.count, 5, "\(warnings)")
        XCTAssertThrowsError(try VideoRequest(model: "sora-2", prompt: "x").adapted(to: local.capabilities, provider: "local"))
    }

    func testPollScheduleGrowsToItsCeilingAndFollowsHints() {
        var schedule = PollSchedule(initialMs: 100, maxMs: 400, multiplier: 2)
        XCTAssertEqual((0..<4).map { _ in schedule.next(hintMs: nil) }, [100, 200, 400, 400])
        XCTAssertEqual(schedule.next(hintMs: 3_000), 3_000)
        XCTAssertEqual(schedule.next(hintMs: nil), 400)
    }
}
