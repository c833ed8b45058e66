import ArgumentParser
import Foundation
import Hummingbird
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

    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object per log line on stderr.")
    var logFormat = "text"

    var resolvedHost: String {
        host ?? ProcessInfo.processInfo.environment["VIDFLOW_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
    }

    var resolvedPort: Int? {
        if let port { return port }
        guard let text = ProcessInfo.processInfo.environment["VIDFLOW_PORT"], !text.isEmpty else { return 8000 }
        return Int(text)
    }

    func validate() throws {
        guard ["text", "json"].contains(logFormat) else { throw CLIFailure.badInput("--log-format must be text or json").report() }
        guard let port = resolvedPort, (0...65535).contains(port) else {
            throw CLIFailure.badInput("the port must be a number from 0 to 65535").report()
        }
        let arguments = ServerArguments(host: resolvedHost, port: port, dataDirectory: global.dataDirectory, auth: !noAuth)
        if noAuth && !arguments.isLoopback {
            throw CLIFailure.badInput("--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not '\(resolvedHost)'")
                .report()
        }
    }

    func run() async throws {
        var arguments = ServerArguments(host: resolvedHost, port: resolvedPort ?? 8000, dataDirectory: global.dataDirectory,
                                        workflowsDirectory: workflowsDir.map(Paths.absolute), auth: !noAuth)
        arguments.publicURL = publicURL ?? ProcessInfo.processInfo.environment["VIDFLOW_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let app = try await buildApplication(arguments)
            try await app.runService()
        } catch let error as ServerStartError {
            throw CLIFailure.badInput(error.description).report()
        }
    }
}
