import Foundation
import XCTest

final class ProvidersCommandTests: XCTestCase {
    func testProvidersListsEveryAdapterAndWhetherAKeyIsSetWithoutShowingIt() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = ["RUNWAY_API_KEY": "key_secret_value_1234,key_other_5678", "KLING_ACCESS_KEY": "",
                                  "OPENAI_API_KEY": ""]
        let result = try world.run(["providers", "--json"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertFalse(result.stdout.contains("secret_value"), "keys are never printed")
        let providers = try XCTUnwrap(result.json?["providers"] as? [[String: Any]], "\(result)")
        let names = Set(providers.compactMap { $0["name"] as? String })
        XCTAssertEqual(names, ["local", "openai", "google", "vertex", "runway", "kling", "seedance", "fal", "replicate", "dashscope",
                               "yunwu"])
        let runway = try XCTUnwrap(providers.first { $0["name"] as? String == "runway" })
        XCTAssertEqual(runway["configured"] as? Bool, true)
        XCTAssertEqual(runway["keys"] as? Int, 2)
        XCTAssertEqual(providers.first { $0["name"] as? String == "openai" }?["configured"] as? Bool, false)

        let table = try world.run(["providers"])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.stdout.contains("runway") && table.stdout.contains("ready"), "\(table)")
        XCTAssertTrue(table.stdout.contains("kling") && table.stdout.contains("no key"), "\(table)")
    }

    func testProvidersShowEveryModelWithLimitsPriceAndWhatAliasesResolveTo() throws {
        var world = try CLIWorld()
        defer { world.cleanUp() }
        world.extraEnvironment = ["VIDFLOW_PRICES": #"{"runway/gen4.5": {"per_second": 0.2}}"#]
        let table = try world.run(["providers"])
        XCTAssertEqual(table.status, 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        let turbo = try XCTUnwrap(lines.first { $0.hasPrefix("  gen3a_turbo ") }, table.stdout)
        for part in ["5/10 s", "16:9 9:16", "image required", "1 video/job (≤8 jobs)", "0.05 USD/s"] {
            XCTAssertTrue(turbo.contains(part), "\(part) in \(turbo)")
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("  gen4.5 ") && $0.contains("0.2 USD/s") }, "the override applies")
        XCTAssertTrue(lines.contains { $0.hasPrefix("  veo-2.0-generate-001 ") && $0.contains("≤2 videos/job") })
        XCTAssertTrue(lines.contains { $0.contains("aliases:") && $0.contains("veo-2 → veo-2.0-generate-001") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("  happyhorse_1_0 ") && $0.contains("price unknown") })

        let json = try world.run(["providers", "runway", "--json"])
        XCTAssertEqual(json.status, 0, "\(json)")
        let models = try XCTUnwrap(json.json?["models"] as? [[String: Any]])
        let listed = try XCTUnwrap(models.first { $0["id"] as? String == "gen3a_turbo" })
        XCTAssertEqual(listed["image"] as? String, "required")
        XCTAssertEqual((listed["price"] as? [String: Any])?["per_second"] as? Double, 0.05)

        world.extraEnvironment = ["VIDFLOW_PRICES": "{not json"]
        let warned = try world.run(["providers"])
        XCTAssertEqual(warned.status, 0)
        XCTAssertTrue(warned.stderr.contains("VIDFLOW_PRICES"), "\(warned)")
    }

    func testAnUnknownProviderExitsTwoWithOneLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let result = try world.run(["providers", "nowhere"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("unknown provider 'nowhere'"), "\(result)")
    }
}
