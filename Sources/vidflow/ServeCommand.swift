import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VidflowCore
import VidflowProviders
import VidflowServer

/// `vidflow serve`: the HTTP service, with the engine running in the same process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API (workflows, files, video tasks, events, webhooks).",
        discussion: "Auth is on by default: the first start creates an admin token in the data directory and "
            + "prints a ready URL once. SIGTERM or SIGINT shuts down gracefully.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to bind (default: $VIDFLOW_HOST, else 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default: $VIDFLOW_PORT, else 8000).")
    var port: Int?

    @Flag(name: .customLong("no-auth"), help: "Serve without tokens (only on a loopback address).")
    var noAuth = false

    @Option(name: .customLong("workflows-dir"), help: "Where named workflows are looked up (default: ./workflows).")
    var workflowsDir: String?

    @Option(name: .customLong("public-url"),
            help: "URL providers can reach this server at, for job callbacks (default: $VIDFLOW_PUBLIC_URL; none: poll only).")
    var publicURL: String?

    @Option(name: .customLong("user-quota"),
            help: "Storage each user may fill with uploads and /v1/videos inputs: 10GB (default; $VIDFLOW_USER_QUOTA), 500MB, none.")
    var userQuota: String?

    @Option(help: ArgumentHelp("Remove finished runs (and the files only they use) that ended longer ago than this: 12h, 7d "
        + "(default: $VIDFLOW_RETAIN, else keep)."))
    var retain: String?

    @Option(name: .customLong("log-format"),
            help: "text (default; $VIDFLOW_LOG_FORMAT) or json: one JSON object per log line on stderr.")
    var logFormat: String?

    @Flag(name: .customLong("allow-private-urls"),
          help: ArgumentHelp("Let user-given URLs (image_url, image.upload sources, video.download URLs, callback_url) reach "
              + "loopback, private and link-local addresses (local development; default: public addresses only)."))
    var allowPrivateURLs = false

    @Option(name: .customLong("allow-private-range"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("A CIDR range user-given URLs may reach although it is not public, e.g. 10.20.0.0/16 "
                + "(repeatable; comma-separated lists too)."))
    var allowPrivateRanges: [String] = []

    @Option(name: .customLong("request-timeout"),
            help: ArgumentHelp("Seconds an ordinary request may take before it is answered 503 "
                + "(default: $VIDFLOW_REQUEST_TIMEOUT, else 30; uploads get 1 h; SSE streams and downloads are not cut)."))
    var requestTimeout: Int?

    /// The URL policy the flags ask for.
    var urlPolicy: OutboundURLPolicy {
        if allowPrivateURLs { return .unrestricted }
        let ranges = allowPrivateRanges.flatMap { $0.split(separator: ",") }.compactMap { IPRange(String($0)) }
        return OutboundURLPolicy(allowedRanges: ranges)
    }

    /// The settings `serve` runs with: `--host`, `--port`, `--public-url`, `--request-timeout`, `--user-quota`,
    /// `--retain`, `--log-format` over `--set`, the environment (`VIDFLOW_HOST`, `VIDFLOW_PORT`, …, provider keys)
    /// and settings files.
    func settings(warn: Bool) throws -> VidflowSettings {
        var flags: [String: String] = [:]
        if let host { flags["server.host"] = host }
        if let port { flags["server.port"] = String(port) }
        if let publicURL { flags["server.public_url"] = publicURL }
        if let requestTimeout { flags["server.request_timeout"] = String(requestTimeout) }
        if let userQuota { flags["server.user_quota"] = userQuota }
        if let retain { flags["server.retain"] = retain }
        if let logFormat { flags["server.log_format"] = logFormat }
        do {
            return try global.settings(flags: flags, warn: warn)
        } catch let failure as CLIFailure {
            throw failure.report()
        }
    }

    static func host(_ settings: VidflowSettings) -> String { settings.string("server.host") ?? "127.0.0.1" }

    /// nil when the port given does not convert to a number.
    static func port(_ settings: VidflowSettings) -> Int? {
        guard let lookup = settings.lookup("server.port"), !lookup.invalid else { return nil }
        return lookup.value.flatMap { Int($0) }
    }

    func validate() throws {
        for text in allowPrivateRanges.flatMap({ $0.split(separator: ",") }) where IPRange(String(text)) == nil {
            throw CLIFailure.badInput("--allow-private-range '\(text)' is not a CIDR range such as 10.0.0.0/8 or fd00::/8").report()
        }
        let settings = try settings(warn: false)
        do {
            _ = try ServeSettings(settings)
        } catch let failure as CLIFailure {
            throw failure.report()
        }
        guard let port = Self.port(settings), (0...65535).contains(port) else {
            throw CLIFailure.badInput("the port must be a number from 0 to 65535").report()
        }
        let host = Self.host(settings)
        let arguments = ServerArguments(host: host, port: port, dataDirectory: global.dataDirectory, auth: !noAuth)
        if noAuth && !arguments.isLoopback {
            throw CLIFailure.badInput("--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not '\(host)'")
                .report()
        }
    }

    func run() async throws {
        let settings = try settings(warn: true)
        let serve: ServeSettings
        do {
            serve = try ServeSettings(settings)
        } catch let failure as CLIFailure {
            throw failure.report()
        }
        // Loggers made from here on (the server's, its engine's) write as the settings say.
        LogOutput.configure(json: serve.jsonLogs, level: serve.logLevel)
        var arguments = ServerArguments(host: Self.host(settings), port: Self.port(settings) ?? 8000,
                                        dataDirectory: global.dataDirectory,
                                        workflowsDirectory: workflowsDir.map(Paths.absolute), auth: !noAuth)
        arguments.settings = settings
        arguments.urlPolicy = urlPolicy
        arguments.requestTimeout = .seconds(serve.requestTimeout)
        arguments.userQuotaBytes = serve.userQuotaBytes
        arguments.retainSeconds = serve.retainSeconds
        arguments.engine.maxConcurrency = serve.maxConcurrency
        arguments.engine.defaultPoolLimit = serve.providerConcurrency
        arguments.logger = Logger(label: "vidflow.server")
        arguments.publicURL = settings.string("server.public_url")
        do {
            let app = try await buildApplication(arguments)
            try await app.runService()
        } catch let error as ServerStartError {
            throw CLIFailure.badInput(error.description).report()
        }
    }
}
