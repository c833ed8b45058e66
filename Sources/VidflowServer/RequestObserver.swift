import Foundation
import Hummingbird
import Logging
import Metrics

/// The outermost layer of every request. It:
/// - takes the request id (`X-Request-ID` when well-formed, else a new one; see `RequestTrace`), puts it
///   in the context (error bodies carry it as `request_id`) and in the request logger's metadata, and
///   echoes it in the response's `X-Request-ID` header, errors included;
/// - binds the server's metrics factory as the task-local swift-metrics factory while the request is
///   answered and its body written, so Hummingbird's `MetricsMiddleware` and the provider requests a
///   handler makes record into this server's registry;
/// - logs one line per request at info once the body is written (or the client went away): method,
///   route template (never the raw path), status, duration, user and request id.
struct RequestObserver<Base: HTTPResponder>: HTTPResponder where Base.Context == ServerRequestContext {
    typealias Context = ServerRequestContext

    let base: Base
    let metrics: ServerMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        var context = context
        context.trace = RequestTrace(requestID: RequestTrace.id(given: request.headers.requestID))
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now
        let factory = metrics.factory
        var response: Response
        do {
            response = try await withMetricsFactory(factory) { try await base.respond(to: request, context: context) }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            Self.log(request, context: context, status: 500, since: started, note: "\(type(of: error))")
            throw error
        }
        response.headers.requestID = context.requestID
        let body = response.body
        let status = Int(response.status.code)
        response.body = ResponseBody(contentLength: body.contentLength) { [context] writer in
            // The writer is used by this task alone, one write after another; the compiler cannot see
            // through the task-local scope's `nonisolated(nonsending)` closure that nothing else holds it.
            nonisolated(unsafe) let writer = writer
            do {
                try await withMetricsFactory(factory) { try await body.write(writer) }
            } catch {
                Self.log(request, context: context, status: status, since: started, note: "body not fully written")
                throw error
            }
            Self.log(request, context: context, status: status, since: started)
        }
        return response
    }

    /// The request's line: `GET /v1/workflows/{id} 200` with its fields as metadata.
    static func log(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant,
                    note: String? = nil) {
        let route = context.endpointPath ?? "(no route)"
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)",
            "duration_ms": "\((milliseconds * 10).rounded() / 10)", "user": "\(context.trace.userID ?? "-")",
            "request_id": "\(context.requestID)",
        ]
        if let note { metadata["note"] = "\(note)" }
        context.logger.info("\(request.method.rawValue) \(route) \(status)", metadata: metadata)
    }
}
