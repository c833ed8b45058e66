import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// fal webhooks: the submit asks for them, deliveries are verified with ED25519 keys from the JWKS, and
/// a verified delivery finishes a waiting `video.poll` without another status request.
final class FalCallbackTests: XCTestCase {
    private let callbackURL = "http://127.0.0.1:9/v1/callbacks/fal?token=tok-1"

    private func provider(_ fake: FakeFalServer) -> FalProvider {
        FalProvider(settings: ProviderSettings(apiKeys: ["fal-key-good"], baseURL: fake.baseURL, callbackURL: callbackURL,
                                               options: ["jwks_url": fake.jwksURL], requestTimeout: 10))
    }

    /// The delivery vidflow's server would hand over for a webhook POSTed to `webhookURL`.
    private func delivery(_ webhook: (headers: [String: String], body: Data), to webhookURL: String) -> ProviderCallbackDelivery {
        var query: [String: String] = [:]
        for item in URLComponents(string: webhookURL)?.queryItems ?? [] { query[item.name] = item.value }
        return ProviderCallbackDelivery(headers: webhook.headers, query: query, body: webhook.body)
    }

    func testSubmitAsksForAWebhookAndLoadsTheSigningKeys() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        _ = try await provider(fake).submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let create = try XCTUnwrap(fake.server.requests("POST", "/fal-ai/pika/v2.2/text-to-video").first)
        XCTAssertEqual(create.query["fal_webhook"], callbackURL + "&fal_app=fal-ai/pika")
        XCTAssertEqual(fake.server.requests("GET", "/.well-known/jwks.json").count, 1)
        XCTAssertNil(fake.server.requests("GET", "/.well-known/jwks.json").first?.headers["authorization"],
                     "the fal key is never sent to the JWKS URL")
    }

    func testAVerifiedWebhookFinishesThePollBeforeAnyStatusRequest() async throws {
        var script = FakeFalServer.Script()
        script.stuck = true
        let fake = try await FakeFalServer.start(clip: Data(), script: script)
        let fal = provider(fake)
        let id = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let job = try XCTUnwrap(fake.jobs.values.first)
        let webhookURL = try XCTUnwrap(job.webhook)

        let update = try XCTUnwrap(try fal.callback(delivery(try fake.webhook(requestID: job.requestID), to: webhookURL)))
        XCTAssertEqual(update.jobID, id)
        XCTAssertEqual(update.status.state, .succeeded)
        XCTAssertEqual(update.status.result?.url, fake.baseURL + "/files/pika-output.mp4")

        let hub = ProviderCallbackHub()
        hub.deliver(provider: "fal", update)
        let directory = NSTemporaryDirectory() + "vidflow-fal-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let context = try DirectContext(parameters: ["job_id": .string(id), "provider": "fal", "max_wait": 5,
                                                     "interval": 0.05, "max_interval": 0.2], directory: directory)
        let result = try await VideoPollStage(providers: ProviderRegistry([fal], callbacks: hub)).run(context)
        XCTAssertEqual(result.outputs["url"]?.stringValue, fake.baseURL + "/files/pika-output.mp4")
        XCTAssertEqual(fake.server.requests.filter { $0.path.hasSuffix("/status") }.count, 0, "the callback answered the poll")
    }

    func testAnErrorWebhookIsAFailedJobWithFalsReason() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        _ = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let job = try XCTUnwrap(fake.jobs.values.first)
        let webhook = try fake.webhook(requestID: job.requestID, ok: false, error: "Prompt was flagged as unsafe")
        let update = try XCTUnwrap(try fal.callback(delivery(webhook, to: try XCTUnwrap(job.webhook))))
        XCTAssertEqual(update.status.state, .failed)
        XCTAssertEqual(update.status.errorKind, .rejectedContent)
        XCTAssertTrue(update.status.errorMessage?.contains("Prompt was flagged as unsafe") == true)
    }

    func testBadSignaturesStaleTimestampsAndUnloadedKeysAreRejected() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = provider(fake)
        _ = try await fal.submit(VideoRequest(prompt: "x"), idempotencyKey: "k")
        let job = try XCTUnwrap(fake.jobs.values.first)
        let url = try XCTUnwrap(job.webhook)
        let tampered = try fake.webhook(requestID: job.requestID, tamper: true)
        let stale = try fake.webhook(requestID: job.requestID, signedAt: Date().addingTimeInterval(-600))
        var forgedBody = try fake.webhook(requestID: job.requestID)
        forgedBody.body = Data(String(decoding: forgedBody.body, as: UTF8.self).replacingOccurrences(of: "pika-output", with: "evil").utf8)
        var unsigned = try fake.webhook(requestID: job.requestID)
        unsigned.headers["x-fal-webhook-signature"] = nil
        for (name, webhook) in [("tampered", tampered), ("stale", stale), ("forged body", forgedBody), ("unsigned", unsigned)] {
            XCTAssertThrowsError(try fal.callback(delivery(webhook, to: url)), name) { error in
                XCTAssertEqual((error as? ProviderError)?.kind, .auth, name)
            }
        }
        let fresh = FalProvider(settings: ProviderSettings(apiKeys: ["fal-key-good"], baseURL: fake.baseURL,
                                                           options: ["jwks_url": fake.jwksURL]))
        let good = try fake.webhook(requestID: job.requestID)
        XCTAssertThrowsError(try fresh.callback(delivery(good, to: url))) { error in
            XCTAssertTrue("\(error)".contains("prepareCallbackVerification"), "\(error)")
        }
        try await fresh.prepareCallbackVerification()
        XCTAssertEqual(try fresh.callback(delivery(good, to: url))?.status.state, .succeeded)
    }
}
