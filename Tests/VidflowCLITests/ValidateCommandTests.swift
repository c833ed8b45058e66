import Foundation
import XCTest

final class ValidateCommandTests: XCTestCase {
    func testAGoodFileIsValidAndExitsZero() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let result = try world.run(["validate", "chain.yaml"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("valid workflow 'chain' with 3 stages"), "\(result)")
    }

    func testABadFileExitsTwoListingEveryProblemWithFileStageAndField() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("broken.yaml", Workflows.invalid)
        let result = try world.run(["validate", "broken.yaml"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("3 problems"), "\(result)")
        XCTAssertTrue(result.stderr.contains("broken.yaml: stage 'a': field 'uses': unknown stage type 'nope'"), "\(result)")
        XCTAssertTrue(result.stderr.contains("broken.yaml: stage 'b': field 'needs': unknown stage 'zz'"), "\(result)")
        XCTAssertTrue(result.stderr.contains("broken.yaml: stage 'c': field 'with.x': unknown input 'missing'"), "\(result)")
        XCTAssertFalse(result.stderr.contains("Fatal error"), "\(result)")
    }

    func testAJSONDefinitionIsValidatedLikeYAML() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("good.json", #"{"name": "j", "stages": [{"id": "a", "uses": "noop"}, {"id": "b", "uses": "noop"}]}"#)
        try world.write("bad.json", #"{"name": "j", "stages": [{"id": "a", "uses": "noop", "needs": ["x"]}]}"#)
        let good = try world.run(["validate", "good.json"])
        XCTAssertEqual(good.status, 0, "\(good)")
        let bad = try world.run(["validate", "bad.json", "--json"])
        XCTAssertEqual(bad.status, 2, "\(bad)")
        let issues = try XCTUnwrap(bad.json?["issues"] as? [[String: Any]], "\(bad)")
        XCTAssertEqual(issues.count, 1)
        XCTAssertEqual(issues.first?["stage"] as? String, "a")
        XCTAssertEqual(issues.first?["field"] as? String, "needs")
        XCTAssertEqual(issues.first?["file"] as? String, "bad.json")
    }

    func testAMissingFileIsOneReadableLineAndExitTwo() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let result = try world.run(["validate", "nowhere.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderrLines, ["vidflow: error: workflow file 'nowhere.yaml' does not exist"])
    }
}
