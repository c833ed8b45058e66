import Logging
import Synchronization
import VidflowServer

/// How log lines are written: text or JSON lines on stderr, from which level. Set at start from the command line
/// and the environment (before any settings file is read), and again by `vidflow serve` once its settings
/// (`server.log_format`, `server.log_level`: flag > environment > `.env` > `vidflow.toml`) are known; loggers
/// made after that follow it.
enum LogOutput {
    private static let current = Mutex<(json: Bool, level: Logger.Level)>((false, .warning))

    static func configure(json: Bool, level: Logger.Level) {
        current.withLock { $0 = (json, level) }
    }

    /// The handler for a new logger, as configured now (the `LoggingSystem` factory).
    @Sendable static func handler(label: String) -> any LogHandler {
        let (json, level) = current.withLock { ($0.json, $0.level) }
        if json { return JSONLogHandler(label: label, level: level) }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
