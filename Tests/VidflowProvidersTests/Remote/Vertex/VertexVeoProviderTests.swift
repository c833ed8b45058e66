import CryptoExtras
import Foundation
import JWTKit
import Synchronization
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowTestSupport
import XCTest

/// The Vertex AI adapter against a loopback fake of Vertex, its OAuth token endpoint and Cloud Storage:
/// the JWT-bearer exchange verified with the public half of a key pair made here, inline and `gs://`
/// results, RAI refusals, the token cache, bad key files and operation errors.
final class VertexVeoProviderTests: XCTestCase {
    private var media: TestMedia!
    private var fake: FakeVertexServer!
    private var privateKey: _RSA.Signing.PrivateKey!
    private var clip = Data()

    override func setUp() async throws {
        media = try TestMedia()
        clip = try Data(contentsOf: URL(fileURLWithPath: try media.clip()))
        privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicKey = try JWTKit.Insecure.RSA.PublicKey(pem: privateKey.publicKey.pemRepresentation)
        fake = try await FakeVertexServer.start(video: clip, publicKey: publicKey)
    }

    override func tearDown() async throws {
        await fake?.stop()
        media?.cleanUp()
    }

    private var resultsDirectory: String { media.directory + "/providers/vertex" }

    private func provider(keyFile: String? = nil, tokens: [String] = [], storageURI: String? = nil,
                          now: @escaping @Sendable () -> Date = Date.init) throws -> VertexVeoProvider {
        let file = try keyFile ?? (tokens.isEmpty ? fake.keyFile(privateKey: privateKey, in: media.directory) : nil)
        return VertexVeoProvider(settings: fake.settings(keyFile: file, tokens: tokens, storageURI: storageURI,
                                                         directory: resultsDirectory), pollAfterMs: 20, now: now)
    }

    private func workflow(numOutputs: Int? = nil) -> String {
        providerWorkflow("vertex-veo-test", provider: "vertex", generate: [
            "prompt: a red fox runs through fresh snow", "seconds: 4", "aspect_ratio: \"16:9\"", "resolution: 720p",
        ] + (numOutputs.map { ["num_outputs: \($0)"] } ?? []), attempts: 2, retryIntervals: ("50ms", "100ms"),
        wiring: .restartable(downloadNamesJob: true))
    }

    // MARK: Auth

    func testTheServiceAccountJWTIsVerifiedByTheTokenEndpointAndItsTokenIsTheBearer() async throws {
        let vertex = try provider()
        let request = VideoRequest(model: "veo-3.1-fast-generate-preview", prompt: "a lighthouse at dusk", seconds: 6,
                                   aspectRatio: "9:16", resolution: "1080p", negativePrompt: "text", seed: 7,
                                   generateAudio: false, numOutputs: 2,
                                   extraBody: ["enhance_prompt": true, "personGeneration": "allow_adult"])
        let id = try await vertex.submit(request, idempotencyKey: "vf-run-generate")
        XCTAssertEqual(id, "projects/test-project/locations/us-central1/publishers/google/models/veo-3.1-fast-generate-preview/operations/1001")

        XCTAssertEqual(fake.refusals, [])
        let exchange = try XCTUnwrap(fake.exchanges.first, "the fake verified the RS256 signature with the public key")
        XCTAssertEqual(exchange.header["alg"], "RS256")
        XCTAssertEqual(exchange.header["kid"], "kid-test-1")
        XCTAssertEqual(exchange.claims["iss"]?.stringValue, FakeVertexServer.clientEmail)
        XCTAssertEqual(exchange.claims["scope"], "https://www.googleapis.com/auth/cloud-platform")
        XCTAssertEqual(exchange.claims["aud"]?.stringValue, fake.tokenURI)
        let iat = try XCTUnwrap(exchange.claims["iat"]?.intValue)
        XCTAssertEqual(try XCTUnwrap(exchange.claims["exp"]?.intValue) - iat, 3600)
        XCTAssertEqual(Double(iat), Date().timeIntervalSince1970, accuracy: 10)

        let create = try XCTUnwrap(fake.creates.first)
        XCTAssertEqual(create.path, "/v1/projects/test-project/locations/us-central1/publishers/google/models/"
                       + "veo-3.1-fast-generate-preview:predictLongRunning", "project from the key file's project_id")
        XCTAssertEqual(create.headers["authorization"], "Bearer " + (fake.issuedTokens.first ?? "?"))
        let body = try XCTUnwrap(create.json)
        XCTAssertEqual(body["instances"], [["prompt": "a lighthouse at dusk"]])
        XCTAssertEqual(body["parameters"], [
            "durationSeconds": 6, "aspectRatio": "9:16", "resolution": "1080p", "negativePrompt": "text", "sampleCount": 2,
            "seed": 7, "generateAudio": false, "enhancePrompt": true, "personGeneration": "allow_adult",
        ])
    }

    func testAGivenAccessTokenIsSentAsIsWithoutAnExchange() async throws {
        let token = "ya29.given-access-token-0123456789"
        fake.update { $0.givenTokens = [token] }
        var settings = fake.settings(keyFile: nil, tokens: [token], directory: resultsDirectory)
        settings.options["project"] = FakeVertexServer.project
        let vertex = VertexVeoProvider(settings: settings, pollAfterMs: 20)
        _ = try await vertex.submit(VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.first?.headers["authorization"], "Bearer " + token)
        XCTAssertTrue(fake.exchanges.isEmpty)
        try await vertex.testConnection()
    }

    func testOneExchangeServesManyCallsAndAnExpiredTokenIsRefreshed() async throws {
        let clock = Mutex(Date())
        let vertex = try provider(now: { clock.withLock { $0 } })
        let id = try await vertex.submit(VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k")
        // Concurrent callers share the cached token.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { _ = try await vertex.status(of: id) } }
            try await group.waitForAll()
        }
        XCTAssertEqual(fake.exchanges.count, 1)
        XCTAssertEqual(Set(fake.polls.compactMap { $0.headers["authorization"] }).count, 1)

        // Past `expires_in` (minus the early-renewal margin) the next call exchanges again.
        clock.withLock { $0 = $0.addingTimeInterval(3599 - 299) }
        _ = try await vertex.status(of: id)
        XCTAssertEqual(fake.exchanges.count, 2)
        XCTAssertEqual(fake.polls.last?.headers["authorization"], "Bearer " + (fake.issuedTokens.last ?? "?"))
    }

    func testConcurrentFirstCallsShareOneExchange() async throws {
        let vertex = try provider()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 { group.addTask { try await vertex.testConnection() } }
            try await group.waitForAll()
        }
        XCTAssertEqual(fake.exchanges.count, 1, "one refresh for all the callers waiting on it")
    }

    func testATokenTheAPIRefusesIsExchangedAgainOnce() async throws {
        let vertex = try provider()
        try await vertex.testConnection()
        let first = try XCTUnwrap(fake.issuedTokens.first)
        fake.update { $0.revoked = [first] }
        try await vertex.testConnection()
        XCTAssertEqual(fake.exchanges.count, 2)
    }

    func testABadKeyFileIsOneClearErrorWithoutTheKeysContents() async throws {
        let secretBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-a-real-key-but-secret"
        let broken = media.directory + "/broken.json"
        let json: JSONValue = ["type": "service_account", "client_email": .string(FakeVertexServer.clientEmail),
                               "private_key": .string("-----BEGIN PRIVATE KEY-----\n\(secretBody)\n-----END PRIVATE KEY-----\n"),
                               "token_uri": .string(fake.tokenURI), "project_id": "test-project"]
        try Data(json.canonicalJSON.utf8).write(to: URL(fileURLWithPath: broken))
        let vertex = try provider(keyFile: broken)
        let error = await expectProviderError(.auth, contains: "private_key is not a PEM RSA private key") {
            try await vertex.submit(VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        XCTAssertTrue(error?.message.contains(broken) == true, "names the file: \(String(describing: error))")
        XCTAssertFalse("\(String(describing: error))".contains(secretBody.prefix(20)))
        XCTAssertTrue(fake.server.requests.isEmpty, "nothing was sent")

        let missing = try provider(keyFile: media.directory + "/nowhere.json")
        await expectProviderError(.auth, contains: "cannot be read") { try await missing.testConnection() }
        let notJSON = media.directory + "/not.json"
        try Data("private_key: \(secretBody)".utf8).write(to: URL(fileURLWithPath: notJSON))
        let garbled = try provider(keyFile: notJSON)
        let garbledError = await expectProviderError(.auth, contains: "is not a JSON object") { try await garbled.testConnection() }
        XCTAssertFalse("\(String(describing: garbledError))".contains(secretBody.prefix(20)))
    }

    func testARefusedAssertionIsAnAuthErrorWithTheEndpointsReason() async throws {
        // A key pair the fake does not know: the signature does not verify.
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let vertex = try provider(keyFile: fake.keyFile(privateKey: stranger, in: media.directory))
        let error = await expectProviderError(.auth, contains: "invalid_grant: Invalid JWT Signature.") {
            try await vertex.submit(VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k")
        }
        XCTAssertEqual(error?.jobCertainlyNotCreated, true)
        XCTAssertTrue(fake.creates.isEmpty)
    }

    // MARK: Results

    func testInlineVideosAreWrittenToAFileAndNotDownloadedAgain() async throws {
        let (run, stages) = try await runWorkflow(workflow(), with: try provider())
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        XCTAssertEqual(fake.creates.count, 1)
        XCTAssertTrue(fake.storageReads.isEmpty)
        let url = try XCTUnwrap(stages["poll"]?.output?["url"]?.stringValue)
        XCTAssertTrue(url.hasPrefix(resultsDirectory + "/"), url)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: url)), clip)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertNotNil(stages["transcode"]?.output?["file"]?.stringValue)
        let outputs = stages.values.compactMap { $0.output?.canonicalJSON }.joined()
        XCTAssertFalse(fake.issuedTokens.contains { outputs.contains($0) }, "no token in any output")
    }

    func testGcsVideosAreDownloadedThroughTheStorageJSONAPIWithTheBearer() async throws {
        let vertex = try provider(storageURI: "gs://vidflow-test/outputs/")
        let id = try await vertex.submit(VideoRequest(prompt: "p", seconds: 8, numOutputs: 2), idempotencyKey: "k")
        XCTAssertEqual(fake.creates.first?.json?["parameters"]?["storageUri"], "gs://vidflow-test/outputs/")
        var status = try await vertex.status(of: id)
        while status.state == .running { status = try await vertex.status(of: id) }
        XCTAssertEqual(status.state, .succeeded)
        let first = try XCTUnwrap(status.result)
        XCTAssertEqual(first.url, fake.server.baseURL + "/storage/v1/b/vidflow-test/o/outputs%2F1001%2Fsample_0.mp4?alt=media")
        XCTAssertEqual(first.headers["Authorization"], "Bearer " + (fake.issuedTokens.first ?? "?"))
        XCTAssertEqual(status.additionalResults.map(\.url),
                       [fake.server.baseURL + "/storage/v1/b/vidflow-test/o/outputs%2F1001%2Fsample_1.mp4?alt=media"])

        let (run, stages) = try await runWorkflow(workflow(), with: vertex)
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let read = try XCTUnwrap(fake.storageReads.last)
        XCTAssertEqual(read.query["alt"], "media")
        XCTAssertTrue(read.headers["authorization"]?.hasPrefix("Bearer ya29.") == true)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertFalse(stages["poll"]?.output?.canonicalJSON.contains("ya29.") ?? true, "the token is not in outputs")
    }

    func testRaiFilteredOperationIsContentRefusedAndNotRetried() async throws {
        let reason = "Veo could not generate videos because the input image violates Vertex AI's usage guidelines."
        fake.update { $0.outcome = .filtered(count: 1, reasons: [reason]) }
        let (run, stages) = try await runWorkflow(workflow(), with: try provider())
        XCTAssertEqual(run.status, .failed)
        let error = try XCTUnwrap(stages["poll"]?.error)
        XCTAssertEqual(error.kind, .rejectedContent)
        XCTAssertTrue(error.message.contains(reason), error.message)
        XCTAssertEqual(stages["poll"]?.attempts, 1, "content refusals are not retried")
        XCTAssertEqual(fake.creates.count, 1, "nor re-submitted")

        fake.update { $0.outcome = .filtered(count: 2, reasons: []) }
        let bare = try provider()
        let id = try await bare.submit(VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k2")
        var status = try await bare.status(of: id)
        while status.state == .running { status = try await bare.status(of: id) }
        XCTAssertEqual(status.errorKind, .rejectedContent)
        XCTAssertEqual(status.errorMessage, "blocked by Google's safety filter: 2 video(s) removed by the safety filter")
    }

    func testOperationErrorFailsThePollWithGooglesMessage() async throws {
        fake.update { $0.outcome = .error(code: 13, message: "Video generation failed due to an internal error.", status: "INTERNAL") }
        try await assertPollFails(workflow(), with: try provider(), kind: .providerFailed,
                                  contains: "Video generation failed due to an internal error. (INTERNAL)")
        XCTAssertEqual(fake.creates.count, 1)
    }
}
