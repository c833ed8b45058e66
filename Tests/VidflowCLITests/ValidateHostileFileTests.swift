import Foundation
import XCTest

/// `vidflow validate` on hostile files: one short line, exit 2, quickly, never a crash.
final class ValidateHostileFileTests: XCTestCase {
    private func validate(_ text: String, timeout: TimeInterval = 20) throws -> (result: CLIResult, seconds: Double) {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("hostile.yaml", text)
        let started = Date()
        let result = try world.run(["validate", "hostile.yaml"], timeout: timeout)
        return (result, Date().timeIntervalSince(started))
    }

    private func assertOneShortLine(_ result: CLIResult, contains text: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.signalled, "crashed or hung: \(result)", file: file, line: line)
        XCTAssertEqual(result.status, 2, "\(result)", file: file, line: line)
        XCTAssertEqual(result.stderrLines.count, 1, "\(result)", file: file, line: line)
        XCTAssertLessThan(result.stderr.utf8.count, 400, "\(result)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), "\(result)", file: file, line: line)
    }

    func testAParenthesisBombIsOneShortLineNotACrash() throws {
        let bomb = String(repeating: "(", count: 50_000) + "true" + String(repeating: ")", count: 50_000)
        let (result, _) = try validate("name: bomb\nstages:\n  - id: a\n    uses: noop\n    if: \"${{ \(bomb) }}\"\n")
        assertOneShortLine(result, contains: "hostile.yaml: stage 'a': field 'if': bad expression: operators or parentheses nest more than 64 deep")
    }

    func testABillionLaughsFileFailsFast() throws {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
        }
        lines.append("name: lol\nstages: [{ id: s, uses: noop }]")
        let (result, seconds) = try validate(lines.joined(separator: "\n"))
        assertOneShortLine(result, contains: "aliases copy in more than 100000 nodes")
        XCTAssertLessThan(seconds, 10, "the aliases must not be expanded")
    }

    func testAnUnknownTagIsRefusedByName() throws {
        let (result, _) = try validate("name: x\nstages:\n  - id: a\n    uses: noop\n    with: !!python/object:os.system { x: 1 }\n")
        assertOneShortLine(result, contains: "YAML tag '!!python/object:os.system' is not supported")
    }

    func testHundredThousandNestedListsAreOneShortLine() throws {
        let (result, _) = try validate("name: x\nstages:\n  - id: a\n    uses: noop\n    with:\n      x: "
                                       + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        assertOneShortLine(result, contains: "nest more than 64 deep")
    }
}
