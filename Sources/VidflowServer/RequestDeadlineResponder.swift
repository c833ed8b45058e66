import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Gives every request a server-side deadline, around the whole router (the outermost middleware):
/// a handler that has not produced its response head within `timeout` is answered
/// `503 {"error":{"code":"request_timeout"}}` and cancelled; on graceful shutdown (SIGTERM) requests
/// still in flight get `shutdownGrace` and are then answered `503 shutting_down`, so the server
/// always stops even when a handler does not.
///
/// It wraps the router's responder rather than sitting in the router's middleware chain because the
/// handler must run in its own task: a handler stuck in blocking work never sees cancellation, and
/// structured concurrency would wait for it. The orphaned task is cancelled and left to finish.
///
/// The deadline covers work up to the response head. Bodies streamed afterwards (SSE event streams,
/// file and video downloads) are not cut. Uploads (`multipart/form-data`, `application/octet-stream`
/// bodies, `/v1/files/upload`) read their body inside the handler and get `uploadTimeout` instead.
struct RequestDeadlineResponder<Base: HTTPResponder>: HTTPResponder where Base.Context == ServerRequestContext {
    typealias Context = ServerRequestContext

    let base: Base
    let timeout: Duration
    let uploadTimeout: Duration
    let shutdownGrace: Duration

    func respond(to request: Request, context: Context) async throws -> Response {
        let limit = isUpload(request) ? uploadTimeout : timeout
        let answer = FirstAnswer()
        let base = base
        let work = Task {
            do {
                answer.resolve(.success(try await base.respond(to: request, context: context)))
            } catch {
                answer.resolve(.failure(error))
            }
        }
        let seconds = Self.seconds(limit)
        let timer = Task {
            try await Task.sleep(for: limit)
            answer.resolve(.failure(APIError(.serviceUnavailable, code: "request_timeout",
                                             "the request took longer than the server's limit of \(seconds) s")))
        }
        let grace = shutdownGrace
        let outcome = await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await answer.value
            } onCancel: {
                answer.resolve(.failure(CancellationError()))
            }
        } onGracefulShutdown: {
            Task {
                try await Task.sleep(for: grace)
                answer.resolve(.failure(APIError(.serviceUnavailable, code: "shutting_down", "the server is shutting down")))
            }
        }
        timer.cancel()
        work.cancel()   // a no-op when it finished; else it stops at its next cancellation check
        switch outcome {
        case .success(let response):
            return response
        case .failure(let error as APIError):
            if error.code == "request_timeout" {
                context.logger.warning("request timed out", metadata: ["path": "\(request.uri.path)", "limit_s": "\(seconds)"])
            }
            return try error.response(from: request, context: context)
        case .failure(let error):
            throw error
        }
    }

    func isUpload(_ request: Request) -> Bool {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        return type.hasPrefix("multipart/form-data") || type.hasPrefix("application/octet-stream")
            || request.uri.path.hasPrefix("/v1/files/upload")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The first of several racing outcomes (the handler, the deadline, shutdown); later ones are dropped.
final class FirstAnswer: Sendable {
    typealias Outcome = Result<Response, any Error>

    private let state = Mutex<(outcome: Outcome?, waiter: CheckedContinuation<Outcome, Never>?)>((nil, nil))

    /// Records `outcome` unless one was recorded already, and wakes the waiter.
    func resolve(_ outcome: Outcome) {
        let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    /// The first outcome, once there is one.
    var value: Outcome {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Outcome? in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
