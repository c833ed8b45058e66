import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// `watermark` at Kling (`watermark_info {enabled}`); the advanced fields Kling has no form for stay refused.
final class KlingAdvancedTests: XCTestCase {
    private func provider(_ fake: FakeKlingServer) -> KlingProvider {
        KlingProvider(settings: ProviderSettings(apiKeys: ["ak_good"], secretKeys: ["sk_good"], baseURL: fake.baseURL),
                      pollAfterMs: 20)
    }

    func testWatermarkIsSentAsWatermarkInfoAndTheWatermarkedCopyIsTheResult() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        let kling = provider(fake)
        let marked = try await kling.submit(VideoRequest(model: "kling-v2-5-turbo", prompt: "a fox", seconds: 5, watermark: true),
                                            idempotencyKey: "k1")
        let clean = try await kling.submit(VideoRequest(model: "kling-v2-5-turbo", prompt: "a fox", seconds: 5, watermark: false),
                                           idempotencyKey: "k2")
        let bodies = fake.server.requests("POST", "/v1/videos/text2video").compactMap(\.json)
        XCTAssertEqual(bodies.first, ["model_name": "kling-v2-5-turbo", "prompt": "a fox", "duration": "5",
                                      "external_task_id": "k1", "watermark_info": ["enabled": true]])
        XCTAssertEqual(bodies.last?["watermark_info"], ["enabled": false])

        let markedTask = klingTaskID(marked)
        let cleanTask = klingTaskID(clean)
        let markedStatus = try await waitForJob(kling, marked)
        XCTAssertEqual(markedStatus.result?.url, fake.baseURL + "/files/\(markedTask)-wm.mp4", "the watermarked copy")
        let cleanStatus = try await waitForJob(kling, clean)
        XCTAssertEqual(cleanStatus.result?.url, fake.baseURL + "/files/\(cleanTask).mp4")
        XCTAssertTrue(cleanStatus.additionalResults.isEmpty)
    }

    func testTheFakeRefusesAMalformedWatermarkInfoLikeKling() async throws {
        let fake = try await FakeKlingServer.start(clip: Data())
        defer { Task { await fake.stop() } }
        await expectProviderError(.invalidInput, contains: "watermark_info.enabled must be a boolean") {
            try await provider(fake).submit(VideoRequest(prompt: "a fox", extraBody: ["watermark_info": "on"]), idempotencyKey: "k")
        }
        XCTAssertEqual(fake.tasksCreated, 0)
    }

    func testCapabilitiesOfferWatermarkOnlyAndValidationRefusesTheRest() throws {
        let kling = KlingProvider(settings: ProviderSettings(apiKeys: ["ak"], secretKeys: ["sk"]))
        for model in kling.capabilities.models {
            let capabilities = kling.capabilities(for: model)
            XCTAssertTrue(capabilities.watermark, model)
            XCTAssertEqual(capabilities.maxOutputs, 1, model)
            XCTAssertEqual(capabilities.maxReferenceImages, 0, model)
            XCTAssertFalse(capabilities.remix, model)
            XCTAssertEqual(capabilities.styles, [], model)
        }
        let capabilities = kling.capabilities
        let adapted = try VideoRequest(prompt: "p", watermark: true).adapted(to: capabilities, provider: "kling", onUnsupported: .error)
        XCTAssertEqual(adapted.request.watermark, true)
        XCTAssertThrowsError(try VideoRequest(prompt: "p", numOutputs: 9).adapted(to: capabilities, provider: "kling",
                                                                                   onUnsupported: .error))
        XCTAssertThrowsError(try VideoRequest(prompt: "p", remixOf: "text2video:1").adapted(to: capabilities, provider: "kling",
                                                                                             onUnsupported: .error))
    }
}

/// The Kling task id inside a vidflow job id (`text2video:<task_id>`).
private func klingTaskID(_ jobID: String) -> String {
    jobID.split(separator: ":").last.map(String.init) ?? jobID
}
