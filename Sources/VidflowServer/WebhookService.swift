import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import VidflowCore
import VidflowStore

/// Delivers terminal runs' callbacks, signed, with retries and backoff; every attempt is recorded.
struct WebhookService: Service {
    let store: SQLiteWorkflowStore
    let signer: WebhookSigner
    let pollInterval: Duration
    let backoff: [Duration]
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for callback in try await store.dueCallbacks(now: Date(), limit: 20) {
                        await deliver(callback)
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("webhook scan failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    func deliver(_ callback: PendingCallback) async {
        guard let run = try? await store.run(callback.runID) else { return }
        let attempt = callback.attempts + 1
        let messageID = "msg_\(run.id)"
        let timestamp = Int(Date().timeIntervalSince1970)
        let payload: JSONValue = [
            "type": .string("workflow.\(run.status.rawValue)"),
            "timestamp": JSONResponse.time(Date()),
            "data": WorkflowJSON.summary(run),
        ]
        let body = Data(payload.canonicalJSON.utf8)
        var request = HTTPClientRequest(url: callback.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "vidflow/\(ServerVersion.current)")
        request.headers.add(name: "webhook-id", value: messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signer.signature(id: messageID, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        let started = Date()
        var statusCode: Int?
        var failure: String?
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            statusCode = Int(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if !(200..<300).contains(response.status.code) { failure = "receiver answered \(response.status.code)" }
        } catch {
            failure = "\(error)"
        }
        let delivery = WebhookDelivery(id: messageID, runID: run.id, attempt: attempt, url: callback.url,
                                       statusCode: statusCode, error: failure, at: started,
                                       durationMs: Date().timeIntervalSince(started) * 1000)
        var retryAt: Date?
        if !delivery.succeeded, attempt <= backoff.count {
            let wait = backoff[attempt - 1].components
            retryAt = Date().addingTimeInterval(Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
        }
        do {
            try await store.record(delivery, retryAt: retryAt)
        } catch {
            logger.warning("cannot record a webhook delivery", metadata: ["run": "\(run.id)", "error": "\(error)"])
        }
    }
}
