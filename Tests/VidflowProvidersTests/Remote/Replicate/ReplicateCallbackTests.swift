import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// Replicate webhooks: creates ask for `completed` events, deliveries are verified the Standard Webhooks
/// way, and a verified delivery finishes a waiting `video.poll` without another status request.
final class ReplicateCallbackTests: XCTestCase {
    private let callbackURL = "http://127.0.0.1:9/v1/callbacks/replicate?token=tok-1"

    private func provider(_ fake: FakeReplicateServer, secret: String? = FakeReplicateServer.secret) -> ReplicateProvider {
        ReplicateProvider(settings: ProviderSettings(apiKeys: ["r8_good"], baseURL: fake.baseURL, callbackURL: callbackURL,
                                                     webhookSecret: secret, requestTimeout: 10))
    }

    private func delivery(_ webhook: (headers: [String: String], body: Data)) -> ProviderCallbackDelivery {
        ProviderCallbackDelivery(headers: webhook.headers, query: ["token": "tok-1"], body: webhook.body)
    }

    func testCreatesAskForCompletedWebhooks() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let id = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let body = try XCTUnwrap(fake.server.requests("POST", "/v1/models/bytedance/seedance-1-pro/predictions").first?.json)
        XCTAssertEqual(body["webhook"]?.stringValue, callbackURL)
        XCTAssertEqual(body["webhook_events_filter"], ["completed"])
        XCTAssertEqual(fake.predictions[id]?.eventsFilter, ["completed"])
        let wire = try provider(fake).wireRequest(for: VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(wire["webhook"]?.stringValue, "http://127.0.0.1:9/v1/callbacks/replicate?token=****",
                       "the callback token is not recorded")
    }

    func testAVerifiedWebhookFinishesThePollBeforeAnyStatusRequest() async throws {
        var script = FakeReplicateServer.Script()
        script.pollsToFinish = 1
        let fake = try await FakeReplicateServer.start(clip: Data(), script: script)
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let update = try XCTUnwrap(try replicate.callback(delivery(try fake.webhook(id, forcePolls: 1))))
        XCTAssertEqual(update.jobID, id)
        XCTAssertEqual(update.status.state, .succeeded)
        XCTAssertEqual(update.status.result?.url, fake.baseURL + "/files/\(id)/output.mp4")

        let hub = ProviderCallbackHub()
        hub.deliver(provider: "replicate", update)
        let directory = NSTemporaryDirectory() + "vidflow-replicate-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let context = try DirectContext(parameters: ["job_id": .string(id), "provider": "replicate", "max_wait": 5,
                                                     "interval": 0.05, "max_interval": 0.2], directory: directory)
        let result = try await VideoPollStage(providers: ProviderRegistry([replicate], callbacks: hub)).run(context)
        XCTAssertEqual(result.outputs["url"]?.stringValue, fake.baseURL + "/files/\(id)/output.mp4")
        XCTAssertEqual(fake.server.requests("GET", "/v1/predictions/\(id)").count, 0, "the callback answered the poll")
    }

    func testBadSignaturesStaleTimestampsAndWrongSecretsAreRejected() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let stale = try fake.webhook(id, signedAt: Date().addingTimeInterval(-600))
        let wrongSecret = try fake.webhook(id, secret: "whsec_" + Data("another-secret".utf8).base64EncodedString())
        var forged = try fake.webhook(id)
        forged.body = Data(String(decoding: forged.body, as: UTF8.self).replacingOccurrences(of: "starting", with: "succeeded").utf8)
        var unsigned = try fake.webhook(id)
        unsigned.headers["webhook-signature"] = nil
        for (name, webhook) in [("stale", stale), ("wrong secret", wrongSecret), ("forged body", forged), ("unsigned", unsigned)] {
            XCTAssertThrowsError(try replicate.callback(delivery(webhook)), name) { error in
                XCTAssertEqual((error as? ProviderError)?.kind, .auth, name)
            }
        }
        XCTAssertEqual(try replicate.callback(delivery(try fake.webhook(id)))?.status.state, .queued)
    }

    func testWithoutAConfiguredSecretTheAccountSecretIsFetchedAhead() async throws {
        let fake = try await FakeReplicateServer.start(clip: Data())
        let replicate = provider(fake, secret: nil)
        let id = try await replicate.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        XCTAssertEqual(fake.server.requests("GET", "/v1/webhooks/default/secret").count, 1, "fetched before the webhook can arrive")
        XCTAssertEqual(try replicate.callback(delivery(try fake.webhook(id)))?.jobID, id)

        let unprepared = provider(fake, secret: nil)
        XCTAssertThrowsError(try unprepared.callback(delivery(try fake.webhook(id)))) { error in
            XCTAssertTrue("\(error)".contains("prepareCallbackVerification"), "\(error)")
        }
        try await unprepared.prepareCallbackVerification()
        XCTAssertEqual(try unprepared.callback(delivery(try fake.webhook(id)))?.jobID, id)
    }
}
