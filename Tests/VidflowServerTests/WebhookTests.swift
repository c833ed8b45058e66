import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import VidflowCore
import VidflowServer
import XCTest

final class WebhookTests: XCTestCase {
    func testTerminalRunsAreDeliveredSignedRetriedAndRecorded() async throws {
        let server = try TestServer(allowPrivateURLs: true)   // the receiver is on loopback
        defer { server.remove() }
        let token = try await server.token("alice")
        let received = ReceivedWebhooks(failFirst: 1)
        let receiver = Router()
        receiver.post("/hook") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let count = received.items.withLock { items in
                items.append((request.headers, Data(body.readableBytesView)))
                return items.count
            }
            return Response(status: count <= received.failFirst ? .internalServerError : .noContent)
        }
        let receiverApp = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiverApp.test(.live) { hook in
            let port = try XCTUnwrap(hook.port)
            try await server.test { client in
                let created = try await client.json(.post, "/v1/workflows", token: token, body: [
                    "definition": Docs.pair(), "callback_url": .string("http://127.0.0.1:\(port)/hook")])
                let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
                _ = try await client.waitForTerminal(id, token: token)
                var deliveries: [JSONValue] = []
                for _ in 0..<200 {
                    deliveries = try await client.json(.get, "/v1/workflows/\(id)/deliveries", token: token)
                        .body["items"]?.arrayValue ?? []
                    if deliveries.contains(where: { $0["succeeded"] == true }) { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                XCTAssertEqual(deliveries.count, 2)
                XCTAssertEqual(deliveries.first?["status_code"], 500)
                XCTAssertEqual(deliveries.last?["status_code"], 204)

                let signer = WebhookSigner(secret: try XCTUnwrap(server.arguments.webhookSecret))
                let items = received.items.withLock { $0 }
                XCTAssertEqual(items.count, 2)
                for item in items {
                    let messageID = try XCTUnwrap(item.headers[HTTPField.Name("webhook-id")!])
                    let timestamp = try XCTUnwrap(Int(item.headers[HTTPField.Name("webhook-timestamp")!] ?? ""))
                    let signature = try XCTUnwrap(item.headers[HTTPField.Name("webhook-signature")!])
                    XCTAssertTrue(signature.hasPrefix("v1,"))
                    XCTAssertTrue(signer.verify(id: messageID, timestamp: timestamp, body: item.body, header: signature))
                    XCTAssertFalse(signer.verify(id: messageID, timestamp: timestamp + 1, body: item.body, header: signature))
                    let payload = try JSONValue.parse(String(decoding: item.body, as: UTF8.self))
                    XCTAssertEqual(payload["type"], "workflow.completed")
                    XCTAssertEqual(payload["data"]?["workflow_id"]?.stringValue, id)
                }
            }
        }
    }

    func testSignatureMatchesTheStandardWebhooksReferenceVector() {
        // From the Standard Webhooks specification's example.
        let signer = WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        XCTAssertEqual(signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: body),
                       "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
