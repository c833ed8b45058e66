import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import VidflowCore
import VidflowProviders
import VidflowStore

/// Delivers terminal runs' callbacks, signed, with retries and backoff; every attempt is recorded.
///
/// The callback URL is the user's: before each attempt its name is resolved and checked against the
/// server's `OutboundURLPolicy` (the connection goes to the checked address), and redirects are not
/// followed. A refused URL is recorded as a failed delivery that is not retried, and nothing is sent.
struct WebhookService: Service {
    let store: SQLiteWorkflowStore
    let signer: WebhookSigner
    let pollInterval: Duration
    let backoff: [Duration]
    let urlPolicy: OutboundURLPolicy
    let logger: Logger
    /// Where deliveries are counted by outcome; nil: not counted.
    var metrics: ServerMetrics?

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

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
        let started = Date()
        let target: OutboundURLGuard.Target
        do {
            target = try await OutboundURLGuard.check(callback.url, policy: urlPolicy)
        } catch {
            let refused = WebhookDelivery(id: messageID, runID: run.id, attempt: attempt, url: callback.url, statusCode: nil,
                                          error: error.description, at: started, durationMs: 0)
            // A refused address is final; a name that could not be resolved just now is tried again later.
            let retryAt = error.isPermanent || attempt > backoff.count
                ? nil : Date().addingTimeInterval(Self.seconds(backoff[attempt - 1]))
            metrics?.webhookDelivered(outcome: retryAt == nil ? "refused" : "retrying")
            do { try await store.record(refused, retryAt: retryAt) } catch {
                logger.warning("cannot record a webhook delivery", metadata: ["run": "\(run.id)", "error": "\(error)"])
            }
            return
        }
        var request = HTTPClientRequest(url: target.connectURL)
        if let host = target.hostHeader { request.headers.replaceOrAdd(name: "host", value: host) }
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "vidflow/\(ServerVersion.current)")
        request.headers.add(name: "webhook-id", value: messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signer.signature(id: messageID, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        var statusCode: Int?
        var failure: String?
        do {
            let response = try await OutboundURLGuard.client.execute(request, timeout: .seconds(10))
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
            retryAt = Date().addingTimeInterval(Self.seconds(backoff[attempt - 1]))
        }
        metrics?.webhookDelivered(outcome: delivery.succeeded ? "delivered" : (retryAt == nil ? "failed" : "retrying"))
        do {
            try await store.record(delivery, retryAt: retryAt)
        } catch {
            logger.warning("cannot record a webhook delivery", metadata: ["run": "\(run.id)", "error": "\(error)"])
        }
    }
}
