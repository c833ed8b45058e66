import Foundation
import XCTest

/// `vidflow serve`'s own settings (timeout, quota, retention, logs, engine concurrency) through the same hierarchy as
/// provider keys, and keys saved with `PUT /v1/config` shown by `vidflow config show` as `stored`.
final class ServeSettingsTests: XCTestCase {
    /// The variables of these settings, unset (empty) so the developer's shell cannot leak in.
    static let quiet = ConfigSettingsTests.quiet.merging([
        "VIDFLOW_REQUEST_TIMEOUT": "", "VIDFLOW_USER_QUOTA": "", "VIDFLOW_RETAIN": "", "VIDFLOW_LOG_FORMAT": "",
        "VIDFLOW_LOG_LEVEL": "", "VIDFLOW_MAX_CONCURRENCY": "", "VIDFLOW_PROVIDER_CONCURRENCY": "",
    ]) { _, new in new }

    func testServerAndEngineSettingsComeFromFlagsThenEnvironmentThenDotEnvThenVidflowTomlThenDefaults() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        let defaults = try ConfigSettingsTests.settings(world.run(["config", "show", "--json"]))
        let expected = ["server.request_timeout": "30", "server.user_quota": "10GB", "server.log_format": "text",
                        "server.log_level": "info", "engine.max_concurrency": "8", "engine.provider_concurrency": "3"]
        for (key, value) in expected {
            XCTAssertEqual(defaults[key]?["value"] as? String, value, key)
            XCTAssertEqual(defaults[key]?["source"] as? String, "default", key)
        }
        XCTAssertNil(defaults["server.retain"], "no retention unless asked")

        try world.write("vidflow.toml", """
            [server]
            request_timeout = 45
            retain = "7d"
            log_format = "json"

            [engine]
            max_concurrency = 4
            provider_concurrency = 2

            """)
        try world.write(".env", "VIDFLOW_LOG_LEVEL=debug\nVIDFLOW_USER_QUOTA=500MB\nVIDFLOW_REQUEST_TIMEOUT=40\n")
        world.extraEnvironment["VIDFLOW_REQUEST_TIMEOUT"] = "50"
        let layered = try world.run(["config", "show", "--json", "--set", "engine.max_concurrency=6"])
        XCTAssertEqual(layered.status, 0, "\(layered)")
        let settings = try ConfigSettingsTests.settings(layered)
        func assert(_ key: String, _ value: String, _ source: String, line: UInt = #line) {
            XCTAssertEqual(settings[key]?["value"] as? String, value, key, line: line)
            XCTAssertEqual(settings[key]?["source"] as? String, source, key, line: line)
        }
        assert("engine.max_concurrency", "6", "flag")
        assert("server.request_timeout", "50", "env")
        assert("server.log_level", "debug", "file")
        assert("server.user_quota", "500MB", "file")
        assert("server.retain", "7d", "file")
        assert("server.log_format", "json", "file")
        assert("engine.provider_concurrency", "2", "file")
        XCTAssertEqual(settings["server.log_level"]?["file"] as? String, world.directory + "/.env")
        XCTAssertEqual(settings["server.retain"]?["file"] as? String, world.directory + "/vidflow.toml")
        XCTAssertEqual(layered.json?["warnings"] as? [String], [], "log level and format are settings now, not env-only")
    }

    func testServeRunsWithTheLogFormatTimeoutAndConcurrencyOfItsSettingsFile() async throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try world.write("vidflow.toml", """
            [server]
            port = 0
            log_format = "json"
            user_quota = "none"

            [engine]
            provider_concurrency = 2

            """)
        let server = try world.start(["serve"])
        let (base, token) = try ServeCommandTests.readyURL(server)
        let (status, body) = try await ServeCommandTests.request("GET", base + "/v1/config", token: token)
        XCTAssertEqual(status, 200, body)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(config["max_concurrency"] as? Int, 2, "the engine's pool limit until one is saved: \(body)")
        server.kill(SIGTERM)
        let result = server.finish(timeout: 20)
        XCTAssertEqual(result.status, 0, "\(result)")
        let lines = result.stderrLines.filter { !$0.isEmpty }
        let requestLine = lines.first { $0.contains("/v1/config") }
        XCTAssertNotNil(requestLine, "an info line per request (the level defaults to info): \(result.stderr)")
        for line in lines {
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                            "log_format = \"json\" in vidflow.toml makes every line JSON: \(line)")
        }
    }

    func testAServerSettingThatIsNotAcceptedIsOneLineNamingWhereItCameFrom() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        func assertRefused(_ arguments: [String], _ message: String, line: UInt = #line) throws {
            let result = try world.run(arguments, timeout: 20)
            XCTAssertEqual(result.status, 2, "\(result)", line: line)
            XCTAssertEqual(result.stderrLines, ["vidflow: error: " + message], line: line)
        }
        world.extraEnvironment["VIDFLOW_USER_QUOTA"] = "lots"
        try assertRefused(["serve", "--port", "0"],
                          "server.user_quota (env VIDFLOW_USER_QUOTA) must be a size like 10GB or 500MB, or none (got 'lots')")
        try assertRefused(["serve", "--port", "0", "--user-quota", "heaps"],
                          "--user-quota must be a size like 10GB or 500MB, or none (got 'heaps')")
        world.extraEnvironment["VIDFLOW_USER_QUOTA"] = ""
        try world.write("vidflow.toml", "[server]\nlog_level = \"loud\"\n")
        try assertRefused(["serve", "--port", "0"], "server.log_level (file \(world.directory)/vidflow.toml) must be one of "
            + "trace, debug, info, notice, warning, error, critical")
        try world.write("vidflow.toml", "[engine]\nprovider_concurrency = 9\n")
        try assertRefused(["serve", "--port", "0"],
                          "engine.provider_concurrency (file \(world.directory)/vidflow.toml) must be a whole number from 1 to 5")
        try FileManager.default.removeItem(atPath: world.directory + "/vidflow.toml")
        world.extraEnvironment["VIDFLOW_REQUEST_TIMEOUT"] = "soon"
        try assertRefused(["serve", "--port", "0"],
                          "server.request_timeout (env VIDFLOW_REQUEST_TIMEOUT) must be a number of seconds from 1 to 86400")
    }

    func testConfigShowListsWhatPutV1ConfigSavedAsStoredAndMasked() async throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        world.extraEnvironment["OPENAI_API_KEY"] = "sk-env-secret-aaaa1111"
        let server = try world.start(["serve", "--port", "0"])
        let (base, token) = try ServeCommandTests.readyURL(server)
        let saved = try await ServeCommandTests.request("PUT", base + "/v1/config", token: token, body: """
            {"provider_api_keys": {"openai": "sk-stored-secret-bbbb2222", "runway": "key_stored_secret_cccc3333"},
             "max_concurrency": 4}
            """)
        XCTAssertEqual(saved.0, 200, saved.1)
        server.kill(SIGTERM)
        _ = server.finish(timeout: 20)

        let result = try world.run(["config", "show", "--json"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let settings = try ConfigSettingsTests.settings(result)
        XCTAssertEqual(settings["providers.openai.api_key"]?["source"] as? String, "stored", "saved keys win over OPENAI_API_KEY")
        XCTAssertEqual(settings["providers.openai.api_key"]?["value"] as? String, "sk-****2222")
        XCTAssertEqual(settings["providers.runway.api_key"]?["source"] as? String, "stored")
        XCTAssertEqual(settings["engine.provider_concurrency"]?["value"] as? String, "4")
        XCTAssertEqual(settings["engine.provider_concurrency"]?["source"] as? String, "stored")
        let text = try world.run(["config", "show"])
        let line = try XCTUnwrap(text.stdoutLines.first { $0.hasPrefix("providers.openai.api_key ") }, "\(text)")
        XCTAssertTrue(line.contains("sk-****2222") && line.hasSuffix("stored"), line)
        for output in [result.stdout, result.stderr, text.stdout, text.stderr] {
            XCTAssertFalse(output.contains("stored-secret") || output.contains("env-secret"), "a key was shown in clear: \(output)")
        }
    }
}
