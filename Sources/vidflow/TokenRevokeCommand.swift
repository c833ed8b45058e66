import ArgumentParser
import Foundation
import VidflowCore
import VidflowStore

/// `vidflow token revoke ID`: the token is refused from the server's next request on.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke",
                                                    abstract: "Revoke a token by its id (see `vidflow token list`).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The token id (tok_…), never the token itself.")
    var id: String

    func validate() throws {
        if id.hasPrefix("vf_") {
            throw CLIFailure.badInput("pass the token's id (tok_…, see `vidflow token list`), not the token").report()
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let path = global.dataDirectory + "/vidflow.sqlite"
            guard FileManager.default.fileExists(atPath: path),
                  let token = try await SQLiteWorkflowStore(path: path).revokeToken(id: id) else {
                throw CLIFailure.badInput("no token with id '\(id)' (see `vidflow token list`)")
            }
            if global.json {
                print(try RunJSON.text(["id": .string(token.id), "user": .string(token.user.name),
                                        "revoked_at": RunJSON.time(token.revokedAt)]), terminator: "")
            } else {
                print("revoked \(token.id) (\(token.user.name)) at \(token.revokedAt.map(TextFormat.timestamp) ?? "-")")
            }
            return 0
        }
    }
}
