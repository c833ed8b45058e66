import ArgumentParser
import Foundation
import VidflowServer
import VidflowStore

/// `vidflow token`: bearer tokens of the HTTP service.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.",
                                                    subcommands: [TokenCreateCommand.self])
}

/// `vidflow token create --user NAME`: prints a new token once; only its SHA-256 is stored.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create",
                                                    abstract: "Create a token for a user (the user is created if new).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The user the token acts as.")
    var user: String

    @Flag(help: "Make a new user an administrator.")
    var admin = false

    func validate() throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-.@"))
        guard !user.isEmpty, user.count <= 64, user.unicodeScalars.allSatisfy(allowed.contains) else {
            throw CLIFailure.badInput("--user must be 1 to 64 letters, digits, '_', '-', '.' or '@'").report()
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            try FileManager.default.createDirectory(atPath: global.dataDirectory, withIntermediateDirectories: true)
            let store = try SQLiteWorkflowStore(path: global.dataDirectory + "/vidflow.sqlite")
            let token = try await AccessTokens.create(for: user, isAdmin: admin, in: store)
            if global.json {
                print(try RunJSON.text(["user": .string(user), "token": .string(token)]), terminator: "")
            } else {
                print(token)
            }
            return 0
        }
    }
}
