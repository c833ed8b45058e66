import Foundation
import VidflowCore
import VidflowProviders

/// How `vidflow config show` prints one setting: secrets masked like everywhere else (`sk-****abcd`, each key
/// of a list, only the first half of an `ACCESS:SECRET` pair hinted at; other secrets as `****`).
enum SettingDisplay {
    static func value(_ lookup: VidflowSettings.Lookup) -> String {
        guard let value = lookup.value else { return "" }
        guard lookup.definition.isSecret else { return value }
        guard lookup.definition.key.hasSuffix(".api_key") else { return "****" }
        return value.split(separator: ",").map { entry in
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            return APIKeyPool.mask(parts.first ?? "") + (parts.count > 1 ? ":****" : "")
        }.joined(separator: ",")
    }

    /// `env OPENAI_API_KEY`, `file ./vidflow.toml`, `file ./.env (OPENAI_API_KEY)`, `flag`, `default`.
    static func source(_ lookup: VidflowSettings.Lookup) -> String {
        guard let source = lookup.source else { return "" }
        switch source {
        case .environment: return "env " + (lookup.variable ?? "")
        case .dotenv(let path): return "file \(path)" + (lookup.variable.map { " (\($0))" } ?? "")
        case .file(let path): return "file \(path)"
        default: return source.name
        }
    }

    static func json(_ lookup: VidflowSettings.Lookup) -> JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(lookup.definition.key), "value": .string(value(lookup)),
            "source": .string(lookup.source?.name ?? ""), "secret": .bool(lookup.definition.isSecret),
        ]
        if let variable = lookup.variable { object["variable"] = .string(variable) }
        if let path = lookup.source?.path { object["file"] = .string(path) }
        return .object(object)
    }
}
