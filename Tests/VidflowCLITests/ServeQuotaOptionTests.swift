import Foundation
import XCTest

/// `vidflow serve --user-quota`: sizes are checked before the server starts.
final class ServeQuotaOptionTests: XCTestCase {
    func testABadUserQuotaFailsWithOneReadableLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        for bad in ["10XB", "0", "lots", "GB"] {
            let result = try world.run(["serve", "--port", "0", "--user-quota", bad])
            XCTAssertEqual(result.status, 2, "\(bad): \(result)")
            XCTAssertEqual(result.stderrLines, ["vidflow: error: --user-quota must be a size like 10GB or 500MB, or none (got '\(bad)')"],
                           "\(bad): \(result)")
        }
    }
}
