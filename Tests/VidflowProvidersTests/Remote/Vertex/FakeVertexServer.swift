import CryptoExtras
import Foundation
import JWTKit
import Synchronization
import VidflowCore
import VidflowProviders

/// A stateful fake of Veo on Vertex AI, its OAuth token endpoint and the Cloud Storage JSON API, on
/// `FakeHTTPServer`:
/// - `POST /token`: the JWT-bearer grant. The assertion is verified with the public half of the test's
///   key pair (jwt-kit), and its `iss`, `aud`, `scope`, `iat`/`exp` checked; the answer is a `ya29.` token.
/// - `POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning` and
///   `…:fetchPredictOperation`, `GET /v1/projects/{p}/locations/{l}/operations`: only with a token it issued
///   (or one of `givenTokens`), else Google's 401 `UNAUTHENTICATED` envelope.
/// - `GET /storage/v1/b/{bucket}/o/{object}?alt=media`: the objects finished operations wrote.
final class FakeVertexServer: Sendable {
    /// How a finished operation ends.
    enum Outcome: Sendable {
        /// Videos: inline base64, or `gs://` objects when the create named `storageUri`.
        case videos
        case error(code: Int, message: String, status: String)
        case filtered(count: Int, reasons: [String])
        case never
    }

    struct Config: Sendable {
        var pollsUntilDone = 1
        var outcome: Outcome = .videos
        var expiresIn = 3599
        /// Access tokens accepted without an exchange (`VIDFLOW_VERTEX_ACCESS_TOKEN`).
        var givenTokens: Set<String> = []
        /// Issued tokens the API answers 401 to (revoked).
        var revoked: Set<String> = []
    }

    /// What the fake read from one verified assertion.
    struct Assertion: Sendable {
        var header: JSONValue
        var claims: JSONValue
    }

    static let clientEmail = "vidflow-test@test-project.iam.gserviceaccount.com"
    static let project = "test-project"

    private let core: Core
    let server: FakeHTTPServer

    private init(core: Core, server: FakeHTTPServer) {
        self.core = core
        self.server = server
    }

    static func start(video: Data, publicKey: JWTKit.Insecure.RSA.PublicKey, config: Config = Config()) async throws -> FakeVertexServer {
        let keys = JWTKeyCollection()
        await keys.add(rsa: publicKey, digestAlgorithm: .sha256)
        let core = Core(config: config, video: video, keys: keys)
        let server = try await FakeHTTPServer.start { request in await core.answer(request) }
        core.state.withLock { $0.origin = server.baseURL }
        return FakeVertexServer(core: core, server: server)
    }

    func stop() async { await server.stop() }

    var baseURL: String { server.baseURL + "/v1" }
    var tokenURI: String { server.baseURL + "/token" }
    var creates: [RecordedRequest] { server.requests.filter { $0.path.hasSuffix(":predictLongRunning") } }
    var polls: [RecordedRequest] { server.requests.filter { $0.path.hasSuffix(":fetchPredictOperation") } }
    var storageReads: [RecordedRequest] { server.requests.filter { $0.path.hasPrefix("/storage/") } }
    /// Assertions that passed verification, in order.
    var exchanges: [Assertion] { core.state.withLock { $0.exchanges } }
    /// Why each refused assertion was refused.
    var refusals: [String] { core.state.withLock { $0.refusals } }
    var issuedTokens: [String] { core.state.withLock { $0.issued } }

    func update(_ change: @Sendable (inout Config) -> Void) { core.state.withLock { change(&$0.config) } }

    /// A service-account key file for this fake, written to `directory`.
    func keyFile(privateKey: _RSA.Signing.PrivateKey, in directory: String, projectID: String? = FakeVertexServer.project) throws -> String {
        var object: [String: JSONValue] = [
            "type": "service_account", "private_key_id": "kid-test-1", "private_key": .string(privateKey.pkcs8PEMRepresentation),
            "client_email": .string(Self.clientEmail), "client_id": "1234567890", "token_uri": .string(tokenURI),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        ]
        if let projectID { object["project_id"] = .string(projectID) }
        let path = directory + "/vertex-sa-\(UUID().uuidString.prefix(6)).json"
        try Data(JSONValue.object(object).canonicalJSON.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Settings pointing a provider at this fake (the key file's token_uri points here too).
    func settings(keyFile: String?, tokens: [String] = [], storageURI: String? = nil, directory: String) -> ProviderSettings {
        var options = ["location": "us-central1", "storage_base_url": server.baseURL]
        if let keyFile { options["credentials_file"] = keyFile }
        if let storageURI { options["storage_uri"] = storageURI }
        var settings = ProviderSettings(apiKeys: tokens, baseURL: baseURL, options: options, requestTimeout: 10)
        settings.directory = directory
        return settings
    }
}

/// The fake's state and answers.
private final class Core: Sendable {
    struct Operation: Sendable {
        var polls = 0
        var samples: Int
        var storageURI: String?
    }

    struct State: Sendable {
        var config: FakeVertexServer.Config
        var operations: [String: Operation] = [:]
        var objects: Set<String> = []
        var exchanges: [FakeVertexServer.Assertion] = []
        var refusals: [String] = []
        var issued: [String] = []
        var nextID = 1
        var origin = ""
    }

    let state: Mutex<State>
    let video: Data
    let keys: JWTKeyCollection

    init(config: FakeVertexServer.Config, video: Data, keys: JWTKeyCollection) {
        state = Mutex(State(config: config))
        self.video = video
        self.keys = keys
    }

    /// The claims the fake decodes with jwt-kit (which checks the signature and `exp`).
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var scope: String
        var aud: AudienceClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
    }

    func answer(_ request: RecordedRequest) async -> FakeResponse {
        if request.method == "POST", request.path == "/token" { return await exchange(request) }
        let token = request.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let authorized = state.withLock { state in
            (state.issued.contains(token) || state.config.givenTokens.contains(token)) && !state.config.revoked.contains(token)
        }
        guard authorized else {
            return FakeGoogleVeoServer.error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                                             "UNAUTHENTICATED")
        }
        let path = request.path
        if request.method == "GET", path.hasPrefix("/storage/v1/b/") { return object(path, query: request.query) }
        let prefix = "/v1/projects/\(FakeVertexServer.project)/locations/us-central1/"
        guard path.hasPrefix(prefix) else { return FakeGoogleVeoServer.error(404, "Project or location not found: \(path)", "NOT_FOUND") }
        if request.method == "POST", path.hasSuffix(":predictLongRunning") { return create(path, request) }
        if request.method == "POST", path.hasSuffix(":fetchPredictOperation") { return poll(path, request) }
        if request.method == "GET", path == prefix + "operations" { return .json(["operations": []]) }
        return FakeGoogleVeoServer.error(404, "Not found: \(path)", "NOT_FOUND")
    }

    // MARK: OAuth

    private func exchange(_ request: RecordedRequest) async -> FakeResponse {
        func refuse(_ why: String) -> FakeResponse {
            state.withLock { $0.refusals.append(why) }
            return .json(["error": "invalid_grant", "error_description": .string(why)], status: 400)
        }
        guard request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return refuse("not a form")
        }
        var form: [String: String] = [:]
        for pair in request.text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" else { return refuse("wrong grant_type") }
        guard let assertion = form["assertion"] else { return refuse("no assertion") }
        let claims: Claims
        do {
            claims = try await keys.verify(assertion, as: Claims.self)
        } catch {
            return refuse("Invalid JWT Signature.")
        }
        let parts = assertion.split(separator: ".").map(String.init)
        guard parts.count == 3, let header = FakeKlingServer.decode(parts[0]), let raw = FakeKlingServer.decode(parts[1]) else {
            return refuse("unreadable JWT")
        }
        let origin = state.withLock { $0.origin }
        guard header["alg"] == "RS256" else { return refuse("alg must be RS256") }
        guard claims.iss.value == FakeVertexServer.clientEmail else { return refuse("unknown iss") }
        guard raw["aud"]?.stringValue == origin + "/token" else { return refuse("aud must be the token_uri, as a string") }
        guard claims.scope == GoogleServiceAccountToken.cloudPlatformScope else { return refuse("wrong scope") }
        guard let iat = raw["iat"]?.intValue, let exp = raw["exp"]?.intValue, exp > iat, exp - iat <= 3600 else {
            return refuse("iat/exp must be integers, exp at most one hour after iat")
        }
        let token = state.withLock { state in
            let token = "ya29.fake-token-\(state.issued.count + 1)-\(UUID().uuidString.prefix(8))"
            state.issued.append(token)
            state.exchanges.append(FakeVertexServer.Assertion(header: header, claims: raw))
            return token
        }
        let expiresIn = state.withLock { $0.config.expiresIn }
        return .json(["access_token": .string(token), "expires_in": .int(expiresIn), "token_type": "Bearer"])
    }

    // MARK: Vertex

    private func create(_ path: String, _ request: RecordedRequest) -> FakeResponse {
        guard let body = request.json, let instance = body["instances"]?.arrayValue?.first, instance["prompt"]?.stringValue != nil else {
            return FakeGoogleVeoServer.error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT")
        }
        let parameters = body["parameters"]
        if let duration = parameters?["durationSeconds"], duration.typeName != "int" {
            return FakeGoogleVeoServer.error(400, "durationSeconds must be an integer", "INVALID_ARGUMENT")
        }
        let samples = parameters?["sampleCount"]?.intValue ?? 1
        guard (1...4).contains(samples) else { return FakeGoogleVeoServer.error(400, "sampleCount must be 1 to 4", "INVALID_ARGUMENT") }
        let modelPath = String(path.dropFirst("/v1/".count).dropLast(":predictLongRunning".count))
        let name: String = state.withLock { state in
            let name = modelPath + "/operations/\(1000 + state.nextID)"
            state.nextID += 1
            state.operations[name] = Operation(samples: samples, storageURI: parameters?["storageUri"]?.stringValue)
            return name
        }
        return .json(["name": .string(name)])
    }

    private func poll(_ path: String, _ request: RecordedRequest) -> FakeResponse {
        guard let name = request.json?["operationName"]?.stringValue else {
            return FakeGoogleVeoServer.error(400, "operationName is required", "INVALID_ARGUMENT")
        }
        let modelPath = String(path.dropFirst("/v1/".count).dropLast(":fetchPredictOperation".count))
        guard name.hasPrefix(modelPath + "/operations/") else {
            return FakeGoogleVeoServer.error(400, "operationName does not belong to \(modelPath)", "INVALID_ARGUMENT")
        }
        let video = self.video
        return state.withLock { state in
            guard var operation = state.operations[name] else {
                return FakeGoogleVeoServer.error(404, "Operation not found: \(name)", "NOT_FOUND")
            }
            operation.polls += 1
            state.operations[name] = operation
            let done: Bool
            if case .never = state.config.outcome { done = false } else { done = operation.polls > state.config.pollsUntilDone }
            guard done else { return .json(["name": .string(name)]) }
            switch state.config.outcome {
            case .videos, .never:
                let id = name.split(separator: "/").last.map(String.init) ?? "op"
                let videos: [JSONValue] = (0..<operation.samples).map { index in
                    if let storage = operation.storageURI {
                        let uri = (storage.hasSuffix("/") ? storage : storage + "/") + "\(id)/sample_\(index).mp4"
                        state.objects.insert(uri)
                        return ["gcsUri": .string(uri), "mimeType": "video/mp4"]
                    }
                    return ["bytesBase64Encoded": .string(video.base64EncodedString()), "mimeType": "video/mp4"]
                }
                return .json(["name": .string(name), "done": true, "response": [
                    "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    "raiMediaFilteredCount": 0, "videos": .array(videos),
                ]])
            case .error(let code, let message, let status):
                return .json(["name": .string(name), "done": true,
                              "error": ["code": .int(code), "message": .string(message), "status": .string(status)]])
            case .filtered(let count, let reasons):
                return .json(["name": .string(name), "done": true, "response": [
                    "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    "raiMediaFilteredCount": .int(count), "raiMediaFilteredReasons": .array(reasons.map { .string($0) }),
                ]])
            }
        }
    }

    // MARK: Cloud Storage

    private func object(_ path: String, query: [String: String]) -> FakeResponse {
        guard query["alt"] == "media" else { return FakeGoogleVeoServer.error(400, "alt=media is required", "INVALID_ARGUMENT") }
        let rest = path.dropFirst("/storage/v1/b/".count)
        guard let marker = rest.range(of: "/o/") else { return FakeGoogleVeoServer.error(404, "No such object", "NOT_FOUND") }
        let bucket = String(rest[..<marker.lowerBound])
        let encoded = String(rest[marker.upperBound...])
        // The object name must arrive encoded whole: a bare "/" would be a path separator to the real API.
        guard !encoded.contains("/"), let object = encoded.removingPercentEncoding else {
            return FakeGoogleVeoServer.error(404, "No such object: \(encoded)", "NOT_FOUND")
        }
        let known = state.withLock { $0.objects.contains("gs://\(bucket)/\(object)") }
        return known ? .bytes(video) : FakeGoogleVeoServer.error(404, "No such object: \(bucket)/\(object)", "NOT_FOUND")
    }
}
