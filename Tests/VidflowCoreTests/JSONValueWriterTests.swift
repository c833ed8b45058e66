import Foundation
@testable import VidflowCore
import XCTest

final class JSONValueWriterTests: XCTestCase {
    func testWritesSortedCompactJSONThatParsesBackToTheSameValue() throws {
        let value: JSONValue = [
            "z": 1, "a": [true, false, .null, 2.5, -3], "text": "quote \" back \\ slash / tab \t nl \n cr \r bell \u{07} é 🎬",
            "nested": ["b": "x", "a": 1e-7], "big": .int(Int.max),
        ]
        let text = value.canonicalJSON
        XCTAssertTrue(text.hasPrefix("{\"a\":[true,false,null,2.5,-3],\"big\":9223372036854775807,\"nested\":{\"a\":"), text)
        XCTAssertTrue(text.contains(#""quote \" back \\ slash / tab \t nl \n cr \r bell \u0007 é 🎬""#), text)
        XCTAssertEqual(try JSONValue.parse(text), value)
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual(foundation?["z"] as? Int, 1, "Foundation reads it too")
    }

    func testTheSameValueAlwaysGivesTheSameBytes() {
        let a: JSONValue = ["b": 1, "a": ["y": 2, "x": 1]]
        let b: JSONValue = ["a": ["x": 1, "y": 2], "b": 1]
        XCTAssertEqual(a.canonicalJSON, b.canonicalJSON)
        XCTAssertEqual(a.canonicalJSON, #"{"a":{"x":1,"y":2},"b":1}"#)
    }
}
