import VidflowCore
import XCTest

/// Secrets never reach stored text (issue 12, item 9).
final class SecretScrubberTests: XCTestCase {
    func testRegisteredKeysAndSecretShapedTokensAreRemovedAndTheRestKept() {
        SecretScrubber.register(["plainsecretvalue42"])
        let cases: [(text: String, secrets: [String], kept: [String])] = [
            ("Incorrect API key provided: Bearer sk-proj-AbC123xyz987QWE.", ["sk-proj-AbC123xyz987QWE", "AbC123"],
             ["Incorrect API key provided:"]),
            ("Incorrect API key provided: sk-abcd****************wxyz", ["sk-abcd", "wxyz"], ["Incorrect API key provided"]),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", ["eyJhbGci"], ["Authorization"]),
            ("invalid key key_9f8e7d6c5b4a39281706", ["key_9f8e7d6c5b4a39281706"], ["invalid key"]),
            ("bad webhook secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ["MfKQ9r8GKYqrTwjUPD8I"], ["bad webhook secret"]),
            ("{\"api_key\": \"0123456789abcdef0123\"}", ["0123456789abcdef0123"], ["api_key"]),
            ("token=a1b2c3d4e5f6a7b8c9d0&x=1", ["a1b2c3d4e5f6a7b8c9d0"], ["x=1"]),
            ("the key 9f86d081884c7d659a2feaa0c55ad015 is revoked", ["9f86d081884c7d659a2feaa0c55ad015"], ["is revoked"]),
            ("your secret plainsecretvalue42 leaked", ["plainsecretvalue42"], ["your secret", "leaked"]),
            ("Replicate token r8_AbCdEf0123456789 refused", ["r8_AbCdEf0123456789"], ["refused"]),
        ]
        for (text, secrets, kept) in cases {
            let scrubbed = SecretScrubber.scrub(text)
            for secret in secrets { XCTAssertFalse(scrubbed.contains(secret), "\(text) → \(scrubbed)") }
            for word in kept { XCTAssertTrue(scrubbed.contains(word), "\(text) → \(scrubbed)") }
            XCTAssertTrue(scrubbed.contains(SecretScrubber.mask), scrubbed)
        }
    }

    func testOrdinaryErrorTextIsLeftAlone() {
        for text in ["HTTP 400: Incorrect API key provided (code invalid_api_key)", "the prompt is too long (max 1000 characters)",
                     "job 3f1c2a is not finished", "download of https://cdn.example.com/v.mp4 answered HTTP 404",
                     "token expired", "rate limited: try again in 20 s"] {
            XCTAssertEqual(SecretScrubber.scrub(text), text)
        }
    }
}
