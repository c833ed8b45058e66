import ArgumentParser
import Foundation
import VidflowCore
import VidflowServer
import VidflowStore

/// `vidflow token`: bearer tokens of the HTTP service.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.",
                                                    subcommands: [TokenCreateCommand.self, TokenListCommand.self,
                                                                  TokenRevokeCommand.self])
}

/// `vidflow token create --user NAME [--admin] [--expires 30d]`: prints a new token once; only its SHA-256 is stored.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token for a user (the user is created if new).",
        discussion: "The token is printed once on stdout; its id, owner and expiry go to stderr. "
            + "Without --expires the token never expires (revoke it with `vidflow token revoke ID`).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The user the token acts as (default with --admin: admin).")
    var user: String?

    @Flag(help: "Make a new user an administrator.")
    var admin = false

    @Option(help: "Lifetime: a number and s, m, h, d or w (90m, 12h, 30d). Default: never expires.")
    var expires: String?

    var userName: String { user ?? "admin" }

    func validate() throws {
        guard user != nil || admin else {
            throw CLIFailure.badInput("--user NAME is required (or --admin for the admin user)").report()
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-.@"))
        guard !userName.isEmpty, userName.count <= 64, userName.unicodeScalars.allSatisfy(allowed.contains) else {
            throw CLIFailure.badInput("--user must be 1 to 64 letters, digits, '_', '-', '.' or '@'").report()
        }
        if let expires, ExpiryDuration.parse(expires) == nil {
            throw CLIFailure.badInput("--expires must be a number and a unit up to ten years, like 90m, 12h or 30d; "
                                      + "leave it out for a token that never expires (got '\(expires)')").report()
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            try FileManager.default.createDirectory(atPath: global.dataDirectory, withIntermediateDirectories: true)
            let store = try SQLiteWorkflowStore(path: global.dataDirectory + "/vidflow.sqlite")
            let expiresAt = expires.flatMap(ExpiryDuration.parse).map { Date().addingTimeInterval($0) }
            let made = try await AccessTokens.issue(for: userName, isAdmin: admin, expiresAt: expiresAt, in: store)
            if global.json {
                print(try RunJSON.text(["id": .string(made.id), "user": .string(made.user.name), "admin": .bool(made.user.isAdmin),
                                        "token": .string(made.token), "expires_at": RunJSON.time(expiresAt)]), terminator: "")
            } else {
                print(made.token)
                let lifetime = expiresAt.map { "expires \(TextFormat.timestamp($0))" }
                    ?? "never expires (use --expires 30d to limit it; `vidflow token revoke \(made.id)` ends it)"
                Console.error("vidflow: token \(made.id) for \(made.user.name)\(made.user.isAdmin ? " (admin)" : ""); \(lifetime)")
            }
            return 0
        }
    }
}
