import Hummingbird
import VidflowCore
import VidflowStore

/// `?limit=&cursor=&status=` of list endpoints, checked.
struct PageQuery {
    var limit: Int
    var cursor: String?
    var statusText: String?

    init(_ request: Request, defaultLimit: Int = 20) throws {
        let query = request.uri.queryParameters
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw APIError.badRequest("must be an integer from 1 to 100", field: "limit")
            }
            limit = value
        } else {
            limit = defaultLimit
        }
        cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        statusText = query["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// 400 unless the cursor names one of the user's runs.
    func checkCursor(_ state: ServerState, user: ServerUser) async throws {
        guard let cursor else { return }
        guard try await state.visible(cursor, to: user) else {
            throw APIError.badRequest("not a cursor from an earlier page", field: "cursor")
        }
    }

    func status() throws -> RunStatus? {
        guard let statusText else { return nil }
        guard let status = RunStatus(rawValue: statusText) else {
            let allowed = RunStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("'\(statusText)' is not one of: \(allowed)", field: "status")
        }
        return status
    }
}
