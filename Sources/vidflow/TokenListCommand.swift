import ArgumentParser
import Foundation
import VidflowCore
import VidflowStore

/// `vidflow token list [--json]`: every token's id, user, times and state — never the token itself.
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list",
                                                    abstract: "List tokens (id, user, created, expires, last used, state).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await CLIFailure.guarding {
            let path = global.dataDirectory + "/vidflow.sqlite"
            let tokens = FileManager.default.fileExists(atPath: path) ? try await SQLiteWorkflowStore(path: path).tokens() : []
            let now = Date()
            if global.json {
                let items: [JSONValue] = tokens.map { token in
                    .object(["id": .string(token.id), "user": .string(token.user.name), "admin": .bool(token.user.isAdmin),
                             "created_at": RunJSON.time(token.createdAt), "expires_at": RunJSON.time(token.expiresAt),
                             "last_used_at": RunJSON.time(token.lastUsedAt), "revoked_at": RunJSON.time(token.revokedAt),
                             "state": .string(token.state(at: now).rawValue)])
                }
                print(try RunJSON.text(["tokens": .array(items)]), terminator: "")
                return 0
            }
            guard !tokens.isEmpty else {
                print("no tokens (vidflow serve makes the first admin token; vidflow token create makes more)")
                return 0
            }
            let time = { (date: Date?) in date.map(TextFormat.timestamp) ?? "-" }
            let rows = [["ID", "USER", "CREATED", "EXPIRES", "LAST USED", "STATE"]] + tokens.map { token in
                [token.id, token.user.name + (token.user.isAdmin ? " (admin)" : ""), time(token.createdAt),
                 token.expiresAt.map(TextFormat.timestamp) ?? "never", time(token.lastUsedAt), token.state(at: now).rawValue]
            }
            TextFormat.table(rows).forEach { print($0) }
            return 0
        }
    }
}
