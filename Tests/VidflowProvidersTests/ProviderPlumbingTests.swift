import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// The shared pieces every adapter stands on: wait hints, key rotation, the rate limiter, redaction, settings.
final class ProviderPlumbingTests: XCTestCase {
    func testRetryHintsAreReadFromEveryProvidersSignal() throws {
        XCTAssertEqual(RetryHint.milliseconds(headers: ["retry-after-ms": "1500"], body: nil), 1500)
        XCTAssertEqual(RetryHint.milliseconds(headers: ["retry-after": "3"], body: nil), 3000)
        XCTAssertEqual(RetryHint.milliseconds(headers: ["x-ratelimit-reset-requests": "6m0s"], body: nil), 360_000)
        let google = try JSONValue.parse(#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}"#)
        XCTAssertEqual(RetryHint.milliseconds(headers: [:], body: google), 34_400)
        let replicate: JSONValue = ["detail": "Request was throttled. Your rate limit resets in ~30s."]
        XCTAssertEqual(RetryHint.milliseconds(headers: [:], body: replicate), 30_000)
        let later = Date().addingTimeInterval(120)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let dated = try XCTUnwrap(RetryHint.milliseconds(headers: ["retry-after": formatter.string(from: later)], body: nil))
        XCTAssertEqual(Double(dated), 120_000, accuracy: 2_000)
        XCTAssertNil(RetryHint.milliseconds(headers: ["retry-after": "soon"], body: nil))
        XCTAssertEqual(RetryHint.duration("250ms"), 250)
        XCTAssertEqual(RetryHint.duration("1h2m"), 3_720_000)
        XCTAssertNil(RetryHint.duration("12x"))
    }

    func testKeysRotateAndARefusedKeyIsBenchedUntilItsTimeIsUp() {
        let pool = APIKeyPool("sk-a, sk-b,,sk-c")
        XCTAssertEqual(pool.keys, ["sk-a", "sk-b", "sk-c"])
        XCTAssertEqual((0..<4).compactMap { _ in pool.next() }, ["sk-a", "sk-b", "sk-c", "sk-a"])
        XCTAssertEqual([pool.peek(), pool.peek(), pool.next()], ["sk-b", "sk-b", "sk-b"], "peek does not move the rotation")
        let now = Date()
        pool.bench("sk-b", for: 60, now: now)
        XCTAssertEqual((0..<3).compactMap { _ in pool.next(now: now) }, ["sk-c", "sk-a", "sk-c"])
        XCTAssertEqual(pool.availableCount(now: now), 2)
        XCTAssertEqual(pool.availableCount(now: now.addingTimeInterval(61)), 3)
        pool.bench("sk-a", for: 30, now: now)
        pool.bench("sk-c", for: 90, now: now)
        XCTAssertEqual(pool.next(now: now), "sk-a", "all benched: the one free soonest")
        pool.replace(["sk-new"])
        XCTAssertEqual(pool.next(), "sk-new")
        XCTAssertNil(APIKeyPool([]).next())
        XCTAssertEqual(APIKeyPool.mask("sk-proj-abcdefghx4KR"), "sk-****x4KR")
        XCTAssertEqual(APIKeyPool.mask("short"), "****")
    }

    func testTheRateLimiterSpacesRequestsBeyondItsBurst() async throws {
        let limiter = RequestRateLimiter(perMinute: 600)   // 10/s, a burst of 100
        let started = ContinuousClock.now
        for _ in 0..<100 { try await limiter.acquire() }
        XCTAssertLessThan(started.duration(to: .now), .milliseconds(500), "the burst goes at once")
        for _ in 0..<3 { try await limiter.acquire() }
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(250), "then 10 a second")
    }

    func testRecordedRequestsLoseInlineBytesAndSecrets() {
        let base64 = String(repeating: "QUJD", count: 200)
        let wire: JSONValue = [
            "image": .string("data:image/jpeg;base64,\(base64)"), "raw": .string(base64), "api_key": "sk-live",
            "callback_url": "https://vidflow.example.com/v1/callbacks/kling?token=abc123&kind=text2video",
            "nested": [["Authorization": "Bearer x"]], "prompt": "a fox",
        ]
        let redacted = WireRedaction.redact(wire)
        XCTAssertEqual(redacted["image"], "data:image/jpeg;base64,<800 base64 chars>")
        XCTAssertEqual(redacted["raw"], "<800 base64 chars>")
        XCTAssertEqual(redacted["api_key"], "****")
        XCTAssertEqual(redacted["callback_url"], "https://vidflow.example.com/v1/callbacks/kling?token=****&kind=text2video")
        XCTAssertEqual(redacted["nested"]?.arrayValue?.first?["Authorization"], "****")
        XCTAssertEqual(redacted["prompt"], "a fox")
    }

    func testSettingsComeFromStoredConfigThenTheEnvironment() {
        let environment = ["RUNWAY_API_KEY": "env-1,env-2", "VIDFLOW_RUNWAY_BASE_URL": "http://127.0.0.1:9",
                           "VIDFLOW_RUNWAY_RPM": "30", "VIDFLOW_RUNWAY_CONCURRENCY": "2", "KLING_ACCESS_KEY": "",
                           "OPENAI_BASE_URL": "https://relay.example.com/v1"]
        let runway = ProviderSettings.resolve(provider: "runway", environment: environment, publicURL: "https://v.example.com/",
                                              callbackToken: "t0k")
        XCTAssertEqual(runway.apiKeys, ["env-1", "env-2"])
        XCTAssertEqual(runway.baseURL, "http://127.0.0.1:9")
        XCTAssertEqual(runway.requestsPerMinute, 30)
        XCTAssertEqual(runway.maxConcurrency, 2)
        XCTAssertEqual(runway.callbackURL, "https://v.example.com/v1/callbacks/runway?token=t0k")
        XCTAssertEqual(runway.webhookSecret, "t0k", "unsigned callbacks are checked with vidflow's token")
        let stored = ProviderSettings.resolve(provider: "runway", environment: environment, stored: ["api_key": "stored"])
        XCTAssertEqual(stored.apiKeys, ["stored"])
        let kling = ProviderSettings.resolve(provider: "kling", environment: [:], stored: ["api_key": "ak1:sk1,ak2:sk2"])
        XCTAssertEqual(kling.apiKeys, ["ak1", "ak2"])
        XCTAssertEqual(kling.secretKeys, ["sk1", "sk2"])
        let replicate = ProviderSettings.resolve(provider: "replicate", environment: [:], callbackToken: "t0k")
        XCTAssertNil(replicate.webhookSecret, "Replicate signs its own webhooks")
        XCTAssertEqual(ProviderSettings.resolve(provider: "openai", environment: environment).baseURL, "https://relay.example.com/v1")
        XCTAssertEqual(runway.masked["api_key"], "****,****")
        XCTAssertFalse(runway.masked.values.contains { $0.contains("env-1") })
    }

    func testNearestPicksTheClosestRatioSizeAndResolution() throws {
        let capabilities = ProviderCapabilities(models: ["m"], allowedSeconds: [4, 6, 8], sizes: ["1280x720", "720x1280", "1920x1080"],
                                                aspectRatios: ["16:9", "9:16", "1:1"], resolutions: ["720p", "1080p"])
        let request = VideoRequest(prompt: "x", seconds: 7.2, size: "1000x1000", aspectRatio: "4:5", resolution: "1000p")
        let (adapted, warnings) = try request.adapted(to: capabilities, provider: "p", onUnsupported: .nearest)
        XCTAssertEqual(adapted.seconds, 8)
        XCTAssertEqual(adapted.aspectRatio, "1:1")
        XCTAssertEqual(adapted.resolution, "1080p")
        XCTAssertEqual(adapted.size, "1280x720")
        XCTAssertEqual(warnings.count, 4, "\(warnings)")
        XCTAssertThrowsError(try request.adapted(to: capabilities, provider: "p", onUnsupported: .error)) { error in
            XCTAssertTrue("\(error)".contains("seconds: 7.2") && "\(error)".contains("4, 6, 8"), "\(error)")
        }
        let long = VideoRequest(prompt: String(repeating: "a", count: 20), seconds: 4)
        var limited = capabilities
        limited.maxPromptLength = 10
        XCTAssertThrowsError(try long.adapted(to: limited, provider: "p", onUnsupported: .nearest))
    }

    func testACreateAnswerWithoutAJobIDMayStillStandForAJob() throws {
        let http = ProviderHTTPClient(provider: "p", baseURL: "http://127.0.0.1:9", keys: APIKeyPool(["k"])) { _ in [] }
        XCTAssertEqual(try http.createdJobID("task_1", in: ["id": "task_1"], operation: "submit"), "task_1")
        XCTAssertThrowsError(try http.createdJobID(nil, in: ["status": "queued"], operation: "submit")) { error in
            let failure = error as? ProviderError
            XCTAssertEqual(failure?.kind, .transient)
            XCTAssertEqual(failure?.jobCertainlyNotCreated, false, "the engine must reconcile, not resubmit")
            XCTAssertTrue(failure?.message.contains("queued") == true)
        }
        XCTAssertThrowsError(try http.createdJobID("", in: [:], operation: "submit"))
    }
}
