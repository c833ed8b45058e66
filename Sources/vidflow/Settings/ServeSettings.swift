import Foundation
import Logging
import VidflowProviders

/// The server and engine settings `vidflow serve` runs with, read from its `VidflowSettings` (flag > environment >
/// `.env` > `vidflow.toml` > default, like every setting) and checked: `server.request_timeout`, `server.user_quota`,
/// `server.retain`, `server.log_format`, `server.log_level`, `engine.max_concurrency`, `engine.provider_concurrency`.
///
/// A value that is not accepted is bad input naming where it came from: the flag when it was given
/// (`--user-quota must be …`), else the key and its source (`server.user_quota (env VIDFLOW_USER_QUOTA) must be …`).
struct ServeSettings {
    var requestTimeout: Int
    /// nil: no quota (`none`).
    var userQuotaBytes: Int?
    /// nil: finished runs are kept.
    var retainSeconds: TimeInterval?
    var jsonLogs: Bool
    var logLevel: Logger.Level
    /// Stages at once across all runs.
    var maxConcurrency: Int
    /// The default limit of each provider pool (`/v1/config`'s `max_concurrency` wins when saved).
    var providerConcurrency: Int

    /// The flag of each key, for error messages.
    static let flags = ["server.request_timeout": "--request-timeout", "server.user_quota": "--user-quota",
                        "server.retain": "--retain", "server.log_format": "--log-format"]

    init(_ settings: VidflowSettings) throws {
        func named(_ key: String) -> String {
            guard var lookup = settings.lookup(key) else { return key }
            if lookup.invalid, let origin = lookup.invalidSource {
                // The value of the wrong type was skipped (the default stands in); name where it was given.
                lookup.source = origin
                lookup.variable = lookup.invalidVariable
            }
            if lookup.source == .flag, let flag = Self.flags[key] { return flag }
            let source = SettingDisplay.source(lookup)
            return source.isEmpty ? key : "\(key) (\(source))"
        }
        func text(_ key: String) -> String { settings.string(key) ?? "" }
        func whole(_ key: String, in range: ClosedRange<Int>, _ what: String) throws -> Int {
            let lookup = settings.lookup(key)
            guard lookup?.invalid != true, let value = settings.int(key), range.contains(value) else {
                throw CLIFailure.badInput("\(named(key)) must be \(what) from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        requestTimeout = try whole("server.request_timeout", in: SettingsCatalog.requestTimeoutRange, "a number of seconds")
        guard let quota = ByteSize.parse(text("server.user_quota")) else {
            throw CLIFailure.badInput("\(named("server.user_quota")) must be a size like 10GB or 500MB, or none "
                + "(got '\(text("server.user_quota").prefix(80))')")
        }
        userQuotaBytes = quota
        if let retain = settings.string("server.retain") {
            guard let seconds = ExpiryDuration.parse(retain) else {
                throw CLIFailure.badInput("\(named("server.retain")) must be a number and a unit up to ten years, like 12h or 7d "
                    + "(got '\(retain.prefix(80))')")
            }
            retainSeconds = seconds
        }
        let format = text("server.log_format").lowercased()
        guard SettingsCatalog.allowedLogFormats.contains(format) else {
            throw CLIFailure.badInput("\(named("server.log_format")) must be text or json")
        }
        jsonLogs = format == "json"
        guard let level = Logger.Level(rawValue: text("server.log_level").lowercased()) else {
            throw CLIFailure.badInput("\(named("server.log_level")) must be one of "
                + SettingsCatalog.allowedLogLevels.joined(separator: ", "))
        }
        logLevel = level
        maxConcurrency = try whole("engine.max_concurrency", in: 1...1024, "a whole number")
        providerConcurrency = try whole("engine.provider_concurrency", in: SettingsCatalog.providerConcurrencyRange,
                                        "a whole number")
    }
}
