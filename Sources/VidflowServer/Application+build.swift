import Foundation
import Hummingbird
import Logging
import VidflowCore
import VidflowStore

/// Builds the vidflow HTTP application: routes, auth, the engine and the webhook sender as services.
///
/// ```swift
/// let app = try await buildApplication(ServerArguments(dataDirectory: ".vidflow"))
/// try await app.runService()
/// ```
public func buildApplication(_ arguments: ServerArguments) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "vidflow.server")
    logger.logLevel = ProcessInfo.processInfo.environment["VIDFLOW_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    if let given = arguments.logger { logger = given }
    if !arguments.auth && !arguments.isLoopback {
        throw ServerStartError(description: "--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not '\(arguments.host)'")
    }
    let state = try await ServerState.open(arguments: arguments, logger: logger)
    var localUser: ServerUser?
    var firstToken: String?
    if arguments.auth {
        firstToken = try await AccessTokens.bootstrap(store: state.store, dataDirectory: arguments.dataDirectory)
    } else {
        localUser = try await state.store.user(named: "local", createAsAdmin: true)
    }
    let secret = try WebhookSigner.secret(given: arguments.webhookSecret, dataDirectory: arguments.dataDirectory)
    SecretScrubber.register([secret, ProviderCallbackToken.derive(fromWebhookSecret: secret)])

    let router = makeRouter(state: state, localUser: localUser)
    let announcement = arguments.announce ? firstToken : nil
    let dataDirectory = arguments.dataDirectory
    // Every request has a deadline; in-flight requests get half the drain timeout on SIGTERM (the engine the rest).
    let deadline = RequestDeadlineResponder(base: router.buildResponder(), timeout: arguments.requestTimeout,
                                            uploadTimeout: max(arguments.requestTimeout, arguments.uploadTimeout),
                                            shutdownGrace: arguments.drainTimeout / 2)
    // Outermost: the request id, the metrics factory bound for the request, the request's log line.
    let responder = RequestObserver(base: deadline, metrics: state.metrics)
    var app = Application(responder: responder,
                          configuration: .init(address: .hostname(arguments.host, port: arguments.port), serverName: "vidflow"),
                          onServerRunning: { channel in
                              guard let token = announcement else { return }
                              let port = channel.localAddress?.port ?? arguments.port
                              let host = arguments.host.contains(":") ? "[\(arguments.host)]" : arguments.host
                              let text = "vidflow: first start; the admin token is saved in \(dataDirectory)/admin-token\n"
                                  + "vidflow: ready at http://\(host):\(port)/?token=\(token)\n"
                              FileHandle.standardOutput.write(Data(text.utf8))
                          },
                          logger: logger)
    app.addServices(EngineService(engine: state.engine, drainTimeout: arguments.drainTimeout, logger: logger),
                    WebhookService(store: state.store, signer: WebhookSigner(secret: secret),
                                   pollInterval: arguments.webhookPollInterval, backoff: arguments.webhookBackoff,
                                   urlPolicy: arguments.urlPolicy,
                                   logger: logger, metrics: state.metrics))
    if let age = arguments.retainSeconds {
        app.addServices(RetentionService(sweep: RetentionSweep(store: state.store, dataDirectory: arguments.dataDirectory),
                                         age: age,
                                         interval: arguments.retentionSweepInterval ?? RetentionService.interval(forAge: age),
                                         logger: logger))
    }
    return app
}

/// Every route of the API, behind the error and auth middleware.
func makeRouter(state: ServerState, localUser: ServerUser?) -> Router<ServerRequestContext> {
    let router = Router(context: ServerRequestContext.self)
    // Requests by route template and status, into the factory `RequestObserver` binds for the request.
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthMiddleware(store: state.store, localUser: localUser))
    RootController(state: state).addRoutes(to: router)
    MonitoringController(state: state).addRoutes(to: router)
    WorkflowController(state: state).addRoutes(to: router.group("v1/workflows"))
    EventStreamController(state: state).addRoutes(to: router)
    FileController(state: state).addRoutes(to: router.group("v1/files"))
    TaskController(state: state).addRoutes(to: router.group("v1/tasks"))
    ConfigController(state: state).addRoutes(to: router.group("v1/config"))
    MetricsController(state: state).addRoutes(to: router)
    VideoController(state: state).addRoutes(to: router.group("v1/video"))
    OpenAIVideoController(state: state).addRoutes(to: router.group("v1/videos"))
    ProviderController(state: state).addRoutes(to: router.group("v1/providers"))
    CallbackController(state: state).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    APIDocsController().addRoutes(to: router)
    return router
}
