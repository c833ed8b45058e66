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
        XCTAssertEqual(names, ["local", "openai", "google", "runway", "kling", "seedance", "fal", "replicate", "dashscope", "yunwu"])
        let runway = try XCTUnwrap(providers.first { $0["name"] as? String == "runway" })
        XCTAssertEqual(runway["configured"] as? Bool, true)
        XCTAssertEqual(runway["keys"] as? Int, 2)
        XCTAssertEqual(providers.first { $0["name"] as? String == "openai" }?["configured"] as? Bool, false)

        let table = try world.run(["providers"])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.stdout.contains("runway") && table.stdout.contains("ready"), "\(table)")
        XCTAssertTrue(table.stdout.contains("kling") && table.stdout.contains("no key"), "\(table)")
    }

    func testAnUnknownProviderExitsTwoWithOneLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let result = try world.run(["providers", "nowhere"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("unknown provider 'nowhere'"), "\(result)")
    }
}
