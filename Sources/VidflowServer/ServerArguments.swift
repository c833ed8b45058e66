import Foundation
import Logging
import VidflowCore
import VidflowEngine
import VidflowProviders

/// Everything `buildApplication` needs: where to listen, where the data lives, auth, limits, timings.
public struct ServerArguments: Sendable {
    public var host: String
    public var port: Int
    /// The data directory (SQLite file, artifacts, per-user files, the first admin token).
    public var dataDirectory: String
    /// Where `"workflow": "<name>"` is looked up.
    public var workflowsDirectory: String
    /// Bearer tokens required (the default); false only on a loopback address.
    public var auth: Bool
    public var maxUploadBytes: Int
    public var maxJSONBytes: Int
    /// The JSON body limit of `POST /v1/video/generate` (16 MiB): room for a 10 MB `image_base64` image.
    public var maxVideoJSONBytes: Int = 16 * 1024 * 1024
    /// How often an SSE stream reads the store for events of runs this process does not execute (another
    /// process runs them); events of the runs it executes are pushed as they commit.
    public var eventPollInterval: Duration
    /// How many pushed events an SSE stream may fall behind its client before it stops being pushed to and
    /// catches up from the store instead (so a client that stops reading holds no more memory than this).
    public var eventStreamBuffer: Int = 1_024
    /// How often the webhook sender looks for due callbacks, and the waits between its retries.
    public var webhookPollInterval: Duration
    public var webhookBackoff: [Duration]
    /// The Standard Webhooks secret (`whsec_…`); nil: read or create `<data>/webhook-secret`.
    public var webhookSecret: String?
    /// The URL providers can reach this server at; with it, providers that notify get
    /// `<publicURL>/v1/callbacks/<name>?token=…` and polls finish on their callbacks.
    public var publicURL: String?
    /// Where provider keys and settings are read from (`OPENAI_API_KEY`, `VIDFLOW_<NAME>_BASE_URL`, ...);
    /// nil: the process environment. Tests pass their own, so no real key is ever picked up.
    public var providerEnvironment: [String: String]?
    /// Provider and speech-service settings (flags, environment, `.env`, `vidflow.toml`, as `vidflow serve` layers
    /// them); nil: `providerEnvironment` alone. `PUT /v1/config`'s keys are put above them.
    public var settings: VidflowSettings?
    /// How long a graceful shutdown waits for running stages before leaving them to recovery.
    public var drainTimeout: Duration
    /// Print the ready URL (with the first admin token) on first start.
    public var announce: Bool
    public var engine: EngineConfiguration
    /// Which addresses user-given URLs (`image_url`, `image.upload` sources, `video.download` URLs,
    /// `callback_url`) may reach: public ones only unless `--allow-private-urls` / `--allow-private-range`.
    public var urlPolicy: OutboundURLPolicy = .publicOnly
    /// How long an ordinary request may take before it is answered 503 (`--request-timeout`); SSE
    /// streams, uploads and file downloads are exempt (see `RequestDeadlineMiddleware`).
    public var requestTimeout: Duration = .seconds(30)
    /// How long `POST /v1/providers/{name}/test-connection` waits for the provider (at most three quarters of
    /// `requestTimeout`) before answering `ok: false` with a `timeout` error.
    public var connectionTestTimeout: Duration = .seconds(15)
    /// How long a request whose body is an upload (multipart, octet-stream) may take to be read and answered.
    public var uploadTimeout: Duration = .seconds(3600)
    /// How many bytes each user's storage (`<data>/files/<user id>`: uploads, `/v1/videos` input files,
    /// uploads in flight) may hold (`--user-quota`); nil: no quota. Past it, uploads get 507.
    public var userQuotaBytes: Int? = ServerArguments.defaultUserQuotaBytes
    /// 10 GiB: generous for one person's reference images and clips, finite on a shared disk.
    public static let defaultUserQuotaBytes = 10 * 1024 * 1024 * 1024
    /// `--retain`: finished runs that ended longer ago than this many seconds are removed with the files only
    /// they use, at start and periodically (`RetentionService`); nil (the default): kept forever.
    public var retainSeconds: TimeInterval?
    /// How often the retention sweep runs; nil: a quarter of `retainSeconds`, between 1 s and 1 h.
    public var retentionSweepInterval: Duration?
    /// Stage types registered over the built-ins (same name replaces): plugins, or fakes in tests.
    public var extraStages: [any Stage] = []
    /// The logger of the server, its requests and its engine; nil: `Logger(label: "vidflow.server")` from the
    /// process's `LoggingSystem` (JSON lines with `--log-format json`) at `VIDFLOW_LOG_LEVEL` or info.
    /// Tests pass one whose handler keeps the lines.
    public var logger: Logger?

    public init(host: String = "127.0.0.1", port: Int = 8000, dataDirectory: String, workflowsDirectory: String? = nil,
                auth: Bool = true, maxUploadBytes: Int = 200 * 1024 * 1024, maxJSONBytes: Int = 1024 * 1024,
                eventPollInterval: Duration = .seconds(1), webhookPollInterval: Duration = .milliseconds(500),
                webhookBackoff: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)],
                webhookSecret: String? = nil, drainTimeout: Duration = .seconds(5), announce: Bool = true,
                engine: EngineConfiguration? = nil) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.workflowsDirectory = workflowsDirectory ?? FileManager.default.currentDirectoryPath + "/workflows"
        self.auth = auth
        self.maxUploadBytes = maxUploadBytes
        self.maxJSONBytes = maxJSONBytes
        self.eventPollInterval = eventPollInterval
        self.webhookPollInterval = webhookPollInterval
        self.webhookBackoff = webhookBackoff
        self.webhookSecret = webhookSecret
        self.drainTimeout = drainTimeout
        self.announce = announce
        self.engine = engine ?? EngineConfiguration(dataDirectory: dataDirectory)
    }

    /// Whether `host` is a loopback address (where `--no-auth` is allowed).
    public var isLoopback: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }
}
