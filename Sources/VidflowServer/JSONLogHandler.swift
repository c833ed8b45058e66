import Foundation
import Logging
import VidflowCore

/// Writes each log record as one JSON line on stderr (`vidflow serve --log-format json`): `time`, `level`,
/// `label`, `message`, `source` and every metadata field (a request's `method`, `route`, `status`,
/// `duration_ms`, `user`, `request_id`; a stage transition's `run`, `stage`, `attempt`, `status`, `duration_ms`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    /// Where each line goes (with its newline): stderr, or a test's buffer.
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "time": JSONResponse.time(Date()), "level": .string(event.level.rawValue), "label": .string(label),
            "message": .string("\(event.message)"), "source": .string(event.source),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = .string("\(value)")
        }
        write(JSONValue.object(object).canonicalJSON + "\n")
    }

    /// Whether the command line or `VIDFLOW_LOG_FORMAT` asks for JSON logs.
    public static func requested(arguments: [String], environment: [String: String]) -> Bool {
        if environment["VIDFLOW_LOG_FORMAT"]?.lowercased() == "json" { return true }
        if arguments.contains("--log-format=json") { return true }
        guard let index = arguments.firstIndex(of: "--log-format"), index + 1 < arguments.count else { return false }
        return arguments[index + 1].lowercased() == "json"
    }
}
