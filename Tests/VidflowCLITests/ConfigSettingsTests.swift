import Foundation
import XCTest

/// Settings from flags, the environment, `.env` and `vidflow.toml` (`vidflow config show`, `vidflow serve`).
final class ConfigSettingsTests: XCTestCase {
    /// Variables that would otherwise leak in from the developer's shell (empty means unset to vidflow).
    static let quiet: [String: String] = [
        "OPENAI_API_KEY": "", "VIDFLOW_OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "VIDFLOW_OPENAI_BASE_URL": "",
        "VIDFLOW_OPENAI_CONCURRENCY": "", "RUNWAY_API_KEY": "", "VIDFLOW_RUNWAY_API_KEY": "", "VIDFLOW_CONFIG": "",
        "VIDFLOW_PORT": "", "VIDFLOW_HOST": "",
    ]

    static let toml = """
        # vidflow settings
        [providers.openai]
        api_key = "sk-file-secret-aaaa1111"
        base_url = "http://file.example/v1"
        concurrency = 1

        """

    /// The settings of `config show --json` by key.
    static func settings(_ result: CLIResult) throws -> [String: [String: Any]] {
        let list = try XCTUnwrap(result.json?["settings"] as? [[String: Any]], "\(result)")
        return Dictionary(uniqueKeysWithValues: list.compactMap { item in (item["key"] as? String).map { ($0, item) } })
    }

    func testFlagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try world.write("vidflow.toml", Self.toml)
        let secrets = ["sk-file-secret-aaaa1111", "sk-env-secret-bbbb2222", "sk-flag-secret-cccc3333"]

        let file = try Self.settings(world.run(["config", "show", "--json"]))
        XCTAssertEqual(file["providers.openai.api_key"]?["source"] as? String, "file")
        XCTAssertEqual(file["providers.openai.api_key"]?["value"] as? String, "sk-****1111")
        XCTAssertEqual(file["providers.openai.api_key"]?["secret"] as? Bool, true)
        XCTAssertEqual(file["providers.openai.base_url"]?["value"] as? String, "http://file.example/v1")
        XCTAssertEqual(file["providers.openai.concurrency"]?["value"] as? String, "1")
        XCTAssertEqual(file["providers.openai.concurrency"]?["source"] as? String, "file")
        XCTAssertEqual(file["providers.openai.timeout"]?["source"] as? String, "default")
        XCTAssertEqual(file["providers.openai.timeout"]?["value"] as? String, "60")
        XCTAssertEqual(file["server.port"]?["value"] as? String, "8000")

        world.extraEnvironment.merge(["OPENAI_API_KEY": "sk-env-secret-bbbb2222", "VIDFLOW_OPENAI_BASE_URL": "http://env.example/v1",
                                      "VIDFLOW_OPENAI_CONCURRENCY": "2"]) { _, new in new }
        let environment = try Self.settings(world.run(["config", "show", "--json"]))
        XCTAssertEqual(environment["providers.openai.api_key"]?["value"] as? String, "sk-****2222")
        XCTAssertEqual(environment["providers.openai.api_key"]?["source"] as? String, "env")
        XCTAssertEqual(environment["providers.openai.api_key"]?["variable"] as? String, "OPENAI_API_KEY")
        XCTAssertEqual(environment["providers.openai.base_url"]?["value"] as? String, "http://env.example/v1")
        XCTAssertEqual(environment["providers.openai.concurrency"]?["value"] as? String, "2")
        XCTAssertEqual(environment["providers.openai.concurrency"]?["source"] as? String, "env")

        let flagged = try world.run(["config", "show", "--json", "--set", "providers.openai.api_key=sk-flag-secret-cccc3333",
                                     "--set", "providers.openai.base_url=http://flag.example/v1",
                                     "--set", "providers.openai.concurrency=3"])
        let flags = try Self.settings(flagged)
        XCTAssertEqual(flags["providers.openai.api_key"]?["value"] as? String, "sk-****3333")
        XCTAssertEqual(flags["providers.openai.api_key"]?["source"] as? String, "flag")
        XCTAssertEqual(flags["providers.openai.base_url"]?["value"] as? String, "http://flag.example/v1")
        XCTAssertEqual(flags["providers.openai.concurrency"]?["value"] as? String, "3")
        XCTAssertEqual(flags["providers.openai.concurrency"]?["source"] as? String, "flag")

        let text = try world.run(["config", "show", "--set", "providers.openai.concurrency=3"])
        XCTAssertEqual(text.status, 0, "\(text)")
        let line = try XCTUnwrap(text.stdoutLines.first { $0.hasPrefix("providers.openai.api_key ") }, "\(text)")
        XCTAssertTrue(line.contains("sk-****2222") && line.hasSuffix("env OPENAI_API_KEY"), line)
        XCTAssertTrue(text.stdoutLines.contains { $0.hasPrefix("providers.openai.concurrency ") && $0.hasSuffix("flag") }, "\(text)")
        XCTAssertTrue(text.stdoutLines.contains { $0.hasPrefix("providers.openai.timeout ") && $0.hasSuffix("default") }, "\(text)")
        XCTAssertTrue(text.stdout.contains("files: " + world.directory + "/vidflow.toml"), "\(text)")
        for output in [flagged.stdout, flagged.stderr, text.stdout, text.stderr] {
            for secret in secrets { XCTAssertFalse(output.contains(secret), "a secret was printed in clear: \(output)") }
        }
    }

    func testDotEnvIsReadBelowTheEnvironmentAndAboveVidflowToml() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try world.write("vidflow.toml", Self.toml + "[providers.runway]\napi_key = [\"key_toml_runway_1111\"]\n")
        try world.write(".env", """
            # keys
            export OPENAI_API_KEY="sk-dotenv-secret-dddd4444"   # quoted, with a comment
            VIDFLOW_RUNWAY_API_KEY=key_dotenv_runway_5555 # unquoted, with a comment
            VIDFLOW_RUNWAY_CONCURENCY=4
            VIDFLOW_DATA_DIR=/elsewhere
            DATABASE_URL=postgres://elsewhere

            """)
        let result = try world.run(["config", "show", "--json"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let settings = try Self.settings(result)
        XCTAssertEqual(settings["providers.openai.api_key"]?["value"] as? String, "sk-****4444")
        XCTAssertEqual(settings["providers.openai.api_key"]?["file"] as? String, world.directory + "/.env")
        XCTAssertEqual(settings["providers.openai.api_key"]?["variable"] as? String, "OPENAI_API_KEY")
        XCTAssertEqual(settings["providers.runway.api_key"]?["value"] as? String, "ke****5555")
        XCTAssertEqual(settings["providers.openai.base_url"]?["file"] as? String, world.directory + "/vidflow.toml",
                       "what .env does not set still comes from vidflow.toml")
        let warnings = try XCTUnwrap(result.json?["warnings"] as? [String])
        XCTAssertEqual(warnings.count, 2, "only VIDFLOW_ variables that do nothing here are reported: \(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("VIDFLOW_RUNWAY_CONCURENCY is unknown") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("VIDFLOW_DATA_DIR is read from the environment only") }, "\(warnings)")

        world.extraEnvironment["OPENAI_API_KEY"] = "sk-env-secret-eeee6666"
        let environment = try Self.settings(world.run(["config", "show", "--json"]))
        XCTAssertEqual(environment["providers.openai.api_key"]?["source"] as? String, "env")

        let providers = try world.run(["providers", "--json"])
        let runway = (providers.json?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "runway" }
        XCTAssertEqual(runway?["configured"] as? Bool, true, "\(providers)")
        for output in [result.stdout, result.stderr, providers.stdout, providers.stderr] {
            XCTAssertFalse(output.contains("dotenv-secret") || output.contains("key_dotenv_runway"), output)
        }
    }

    func testAnUnknownKeyInVidflowTomlIsAWarningNamingIt() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try world.write("vidflow.toml", Self.toml + "api_kye = \"x\"\n[server]\nprot = 9000\n")
        let result = try world.run(["config", "show"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("unknown key providers.openai.api_kye"), "\(result)")
        XCTAssertTrue(result.stderr.contains("unknown key server.prot"), "\(result)")
    }

    func testMalformedSettingsFilesExitTwoWithOneLineNamingTheFileAndLine() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        func assertRefused(_ arguments: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
            let result = try world.run(arguments, timeout: 20)
            XCTAssertEqual(result.status, 2, "\(result)", file: file, line: line)
            XCTAssertEqual(result.stderrLines.count, 1, "one line: \(result)", file: file, line: line)
            for text in mentions { XCTAssertTrue(result.stderr.contains(text), "'\(text)' in \(result)", file: file, line: line) }
            XCTAssertEqual(result.stdout, "", file: file, line: line)
        }
        try world.write("vidflow.toml", "[providers.openai]\napi_key = \"sk-x\"\nconcurrency = = 2\n")
        try assertRefused(["config", "show"], mentions: ["vidflow.toml' line 3"])
        try assertRefused(["providers"], mentions: ["vidflow.toml' line 3"])
        try assertRefused(["runs"], mentions: ["vidflow.toml' line 3"])

        try world.write("vidflow.toml", "[providers.openai]\nconcurrency = \"many\"\n")
        try assertRefused(["config", "show"], mentions: ["vidflow.toml", "providers.openai.concurrency must be a whole number"])

        try FileManager.default.removeItem(atPath: world.directory + "/vidflow.toml")
        try world.write(".env", "# keys\nOPENAI_API_KEY=sk-dotenv-secret-ffff7777\nthis line has no equals sign\n")
        try assertRefused(["config", "show"], mentions: [".env' line 3", "NAME=value"])
        let leaked = try world.run(["config", "show"])
        XCTAssertFalse(leaked.stderr.contains("sk-dotenv-secret"), "\(leaked)")
        try FileManager.default.removeItem(atPath: world.directory + "/.env")

        try FileManager.default.createDirectory(atPath: world.directory + "/vidflow.toml", withIntermediateDirectories: false)
        try assertRefused(["config", "show"], mentions: ["vidflow.toml' is not a regular file"])
        try FileManager.default.removeItem(atPath: world.directory + "/vidflow.toml")

        let fifo = world.directory + "/settings.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try assertRefused(["config", "show", "--config", fifo], mentions: ["settings.fifo' is not a regular file"])

        try world.write("huge.toml", "# " + String(repeating: "x", count: 1024 * 1024) + "\n")
        try assertRefused(["config", "show", "--config", "huge.toml"], mentions: ["huge.toml' is", "more than the limit of 1048576"])
        try world.write("binary.toml", "a = 1\n\u{0}\n")
        try assertRefused(["config", "show", "--config", "binary.toml"], mentions: ["binary.toml' line 2", "not UTF-8"])
        try assertRefused(["config", "show", "--config", "missing.toml"], mentions: ["'missing.toml' does not exist"])
        try assertRefused(["config", "show", "--set", "providers.openai.concurency=2"], mentions: ["unknown setting"])
        try assertRefused(["config", "show", "--set", "providers.openai.concurrency=two"], mentions: ["must be a whole number"])
    }

    func testVidflowTomlInTheDataDirectoryIsReadAndConfigNamesADotEnvFile() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try FileManager.default.createDirectory(atPath: world.dataDirectory, withIntermediateDirectories: true)
        try (Self.toml).write(toFile: world.dataDirectory + "/vidflow.toml", atomically: true, encoding: .utf8)
        let found = try Self.settings(world.run(["config", "show", "--json"]))
        XCTAssertEqual(found["providers.openai.concurrency"]?["file"] as? String, world.dataDirectory + "/vidflow.toml")

        try world.write("keys.env", "VIDFLOW_OPENAI_CONCURRENCY=4\n")
        let given = try world.run(["config", "show", "--json", "--config", "keys.env"])
        let settings = try Self.settings(given)
        XCTAssertEqual(settings["providers.openai.concurrency"]?["value"] as? String, "4")
        XCTAssertEqual(settings["providers.openai.concurrency"]?["file"] as? String, world.directory + "/keys.env")
        XCTAssertNil(settings["providers.openai.base_url"], "--config replaces the files otherwise found: \(given)")
    }

    func testSecretsAreRedactedInSwiftConfigurationsAccessLog() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        let log = world.directory + "/access.log"
        world.extraEnvironment = Self.quiet
        world.extraEnvironment["CONFIG_ACCESS_LOG_FILE"] = log
        world.extraEnvironment["OPENAI_API_KEY"] = "sk-env-secret-hhhh8888"
        try world.write(".env", "VIDFLOW_RUNWAY_WEBHOOK_SECRET=whsec_dotenv_secret_1234\n")
        try world.write("vidflow.toml", "[providers.fal]\napi_key = \"fal-file-secret-3333\"\n")
        let result = try world.run(["config", "show", "--set", "providers.kling.api_key=ak-flag-secret:sk-flag-secret"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        for key in ["providers.openai.api_key", "providers.runway.webhook_secret", "providers.fal.api_key", "providers.kling.api_key"] {
            let line = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(" \(key) ->") }, "\(key) in \(text)")
            XCTAssertTrue(line.contains("<REDACTED>"), String(line))
        }
        for secret in ["hhhh8888", "dotenv_secret", "fal-file-secret", "flag-secret"] {
            XCTAssertFalse(text.contains(secret) || result.stdout.contains(secret) || result.stderr.contains(secret), secret)
        }
    }

    func testServeUsesAProviderKeyFromVidflowTomlAndNeverShowsItInClear() async throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = Self.quiet
        try world.write("vidflow.toml", """
            [providers.runway]
            api_key = "key_toml_secret_runway_9999"

            [server]
            port = 0

            """)
        let server = try world.start(["serve"])
        let (base, token) = try ServeCommandTests.readyURL(server)
        let (status, body) = try await ServeCommandTests.request("GET", base + "/v1/providers", token: token)
        XCTAssertEqual(status, 200, body)
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let runway = (json?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "runway" }
        XCTAssertEqual(runway?["configured"] as? Bool, true, body)
        XCTAssertEqual(runway?["keys"] as? Int, 1, body)
        let config = try await ServeCommandTests.request("GET", base + "/v1/config", token: token)
        XCTAssertEqual(config.0, 200, config.1)
        server.kill(SIGTERM)
        let result = server.finish(timeout: 20)
        for output in [body, config.1, result.stdout, result.stderr] {
            XCTAssertFalse(output.contains("key_toml_secret_runway_9999"), "the key was shown in clear: \(output)")
        }
    }
}
