import Foundation
import Logging
import VidflowCore

/// Writes each log record as one JSON line on stderr (`vidflow serve --log-format json`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
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
        FileHandle.standardError.write(Data((JSONValue.object(object).canonicalJSON + "\n").utf8))
    }

    /// Whether the command line or `VIDFLOW_LOG_FORMAT` asks for JSON logs.
    public static func requested(arguments: [String], environment: [String: String]) -> Bool {
        if environment["VIDFLOW_LOG_FORMAT"]?.lowercased() == "json" { return true }
        if arguments.contains("--log-format=json") { return true }
        guard let index = arguments.firstIndex(of: "--log-format"), index + 1 < arguments.count else { return false }
        return arguments[index + 1].lowercased() == "json"
    }
}
