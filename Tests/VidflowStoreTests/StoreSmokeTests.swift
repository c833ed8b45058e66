import XCTest
@testable import VidflowStore
final class StoreSmokeTests: XCTestCase { func testNothing() {} }
