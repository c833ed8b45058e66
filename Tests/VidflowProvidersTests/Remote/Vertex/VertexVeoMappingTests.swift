import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// What the Vertex adapter sends and reads without a network: the body, capabilities, operation names,
/// Cloud Storage URLs, and how `vertex` is registered beside `google`.
final class VertexVeoMappingTests: XCTestCase {
    private func vertex(_ options: [String: String] = ["project": "p1"]) -> VertexVeoProvider {
        VertexVeoProvider(settings: ProviderSettings(apiKeys: ["ya29.test-token-0123456789"], options: options))
    }

    func testVeo3SendsGenerateAudioTrueUnlessToldAndVeo2NeverSendsIt() throws {
        let veo3 = try vertex().wireRequest(for: VideoRequest(prompt: "p", seconds: 8), idempotencyKey: "k")
        XCTAssertEqual(veo3["parameters"], ["durationSeconds": 8, "generateAudio": true])
        let silent = try vertex().wireRequest(for: VideoRequest(prompt: "p", generateAudio: false,
                                                                extraBody: ["generate_audio": true]), idempotencyKey: "k")
        XCTAssertEqual(silent["parameters"]?["generateAudio"], true, "extra_body wins over the request, as on every adapter")
        let veo2 = try vertex().wireRequest(for: VideoRequest(model: "veo-2", prompt: "p", seconds: 5), idempotencyKey: "k")
        XCTAssertEqual(veo2["parameters"], ["durationSeconds": 5])
    }

    func testStorageURIComesFromTheSettingsUnlessExtraBodyNamesOne() throws {
        let provider = vertex(["project": "p1", "storage_uri": "gs://bucket/a/"])
        let wire = try provider.wireRequest(for: VideoRequest(prompt: "p"), idempotencyKey: "k")
        XCTAssertEqual(wire["parameters"]?["storageUri"], "gs://bucket/a/")
        let own = try provider.wireRequest(for: VideoRequest(prompt: "p", extraBody: ["storage_uri": "gs://other/b/"]),
                                           idempotencyKey: "k")
        XCTAssertEqual(own["parameters"]?["storageUri"], "gs://other/b/")
    }

    func testRemixOfAGcsVideoExtendsItAsGcsUri() throws {
        let wire = try vertex().wireRequest(for: VideoRequest(model: "veo-3.1-generate-001", prompt: "on", resolution: "720p",
                                                              remixOf: "gs://bucket/earlier.mp4"), idempotencyKey: "k")
        XCTAssertEqual(wire["instances"]?.arrayValue?.first?["video"], ["gcsUri": "gs://bucket/earlier.mp4", "mimeType": "video/mp4"])
    }

    func testCapabilitiesAreVeosWithSeedFourSamplesAndTheGAModels() {
        let provider = vertex()
        XCTAssertEqual(provider.name, "vertex")
        XCTAssertEqual(provider.capabilities.models.first, "veo-3.1-generate-preview")
        XCTAssertTrue(provider.capabilities.models.contains("veo-3.1-generate-001"))
        XCTAssertTrue(provider.capabilities.seed)
        XCTAssertEqual(provider.capabilities.maxOutputs, 4)
        XCTAssertTrue(provider.capabilities.audio)
        let veo2 = provider.capabilities(forModel: "veo-2")
        XCTAssertFalse(veo2.audio)
        XCTAssertEqual(veo2.resolutions, ["720p"])
        XCTAssertEqual(provider.capabilities(for: "veo-3.1-fast-generate-001").models.first, "veo-3.1-fast-generate-001")
        XCTAssertEqual(provider.features, ProviderFeatures(authenticatedDownload: true))
    }

    func testAnUnknownOperationNameIsRefusedWithoutACall() async {
        await expectProviderError(.invalidInput, contains: "is not a Vertex operation name") {
            try await self.vertex().status(of: "models/veo-3/operations/1")
        }
    }

    func testWithoutAProjectSubmitSaysWhereToSetIt() async {
        let provider = VertexVeoProvider(settings: ProviderSettings(apiKeys: ["ya29.test-token-0123456789"]))
        await expectProviderError(.auth, contains: "VIDFLOW_VERTEX_PROJECT") {
            try await provider.submit(VideoRequest(prompt: "p"), idempotencyKey: "k")
        }
        let none = VertexVeoProvider(settings: ProviderSettings(options: ["project": "p"]))
        await expectProviderError(.auth, contains: "GOOGLE_APPLICATION_CREDENTIALS") {
            try await none.submit(VideoRequest(prompt: "p"), idempotencyKey: "k")
        }
    }

    func testTheRegionalEndpointFollowsTheLocation() {
        XCTAssertEqual(VertexVeoProvider.defaultBaseURL(location: "europe-west4"), "https://europe-west4-aiplatform.googleapis.com/v1")
        XCTAssertEqual(VertexVeoProvider.defaultBaseURL(location: "global"), "https://aiplatform.googleapis.com/v1")
    }

    func testVertexIsRegisteredFromTheEnvironmentBesideGoogleWithoutShowingSecrets() throws {
        let directory = NSTemporaryDirectory() + "vidflow-vertex-catalog-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let keyFile = directory + "/sa.json"
        try Data(#"{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com","private_key":"x"}"#.utf8)
            .write(to: URL(fileURLWithPath: keyFile))
        let registry = ProviderCatalog.registry(dataDirectory: directory, environment: [
            "GOOGLE_APPLICATION_CREDENTIALS": keyFile, "VIDFLOW_VERTEX_PROJECT": "my-project",
        ])
        let provider = try XCTUnwrap(registry.provider("vertex"))
        XCTAssertNotNil(registry.provider("google"))
        let settings = try XCTUnwrap(registry.settings["vertex"])
        XCTAssertEqual(settings.options["project"], "my-project")
        XCTAssertEqual(settings.options["location"], "us-central1")
        XCTAssertEqual(settings.options["credentials_file"], keyFile)
        XCTAssertEqual(settings.directory, directory + "/providers/vertex")
        let described = ProviderDescription.json(provider, settings: settings)
        XCTAssertEqual(described["configured"], true, "a key file is a credential")
        XCTAssertEqual(described["keys"], 0)
        XCTAssertTrue(ProviderDescription.line(provider, settings: settings).hasPrefix("vertex    ready"))

        let tokenOnly = ProviderCatalog.registry(dataDirectory: directory, environment: [
            "VIDFLOW_VERTEX_ACCESS_TOKEN": "ya29.from-the-environment-0123456789"])
        let masked = try XCTUnwrap(tokenOnly.settings["vertex"]?.masked["api_key"])
        XCTAssertFalse(masked.contains("from-the-environment"), masked)
        let unset = ProviderCatalog.registry(dataDirectory: directory, environment: [:])
        XCTAssertEqual(ProviderDescription.json(try XCTUnwrap(unset.provider("vertex")), settings: unset.settings["vertex"])["configured"],
                       false)
    }

    func testPrivateKeysAndAccessTokensAreScrubbedFromText() {
        let text = "failed with -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n and ya29.a0AfH6SMBx-token_value."
        let scrubbed = SecretScrubber.scrub(text)
        XCTAssertFalse(scrubbed.contains("MIIEvQ"), scrubbed)
        XCTAssertFalse(scrubbed.contains("a0AfH6SMBx"), scrubbed)
    }
}
