import Foundation
import TOMLKit
import VidflowProviders

/// A `vidflow.toml` read with TOMLKit into setting keys and text values, ready for an `InMemoryProvider`
/// layer (swift-configuration reads JSON, YAML and property lists, not TOML).
///
/// ```toml
/// [providers.openai]
/// api_key = "sk-…"            # or a list: ["sk-a", "sk-b"]
/// base_url = "https://relay.example.com/v1"
/// concurrency = 2
///
/// [server]
/// port = 8080
/// ```
///
/// Syntax errors name the file, line and column; a value of the wrong type names its key; keys vidflow
/// does not read are returned as `unknown` (the caller warns — a newer file still works with an older vidflow).
struct TOMLConfigFile {
    var values: [String: String] = [:]
    var unknown: [String] = []

    init(text: String, path: String) throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw CLIFailure.badInput("settings file '\(path)' line \(position.line), column \(position.column): "
                + error.description)
        } catch {
            throw CLIFailure.badInput("settings file '\(path)': \(error)")
        }
        try collect(table, prefix: "", path: path)
    }

    private mutating func collect(_ table: TOMLTable, prefix: String, path: String) throws {
        for (name, value) in table {
            let key = prefix + name
            if let nested = value.table {
                try collect(nested, prefix: key + ".", path: path)
                continue
            }
            guard let definition = SettingsCatalog.definition(forKey: key) else {
                unknown.append(key)
                continue
            }
            guard let text = Self.text(value), definition.configValue(text) != nil || text.isEmpty else {
                throw CLIFailure.badInput("settings file '\(path)': \(key) must be \(definition.expected)"
                    + (definition.key.hasSuffix("api_key") ? " or a list of strings" : ""))
            }
            values[key] = text
        }
    }

    /// A scalar as text; an array of strings joined with commas (key lists); nil for other types.
    private static func text(_ value: any TOMLValueConvertible) -> String? {
        switch value.type {
        case .string: return value.string
        case .int: return value.int.map(String.init)
        case .double: return value.double.map { String($0) }
        case .array:
            guard let array = value.array else { return nil }
            let items = array.map(\.string)
            guard items.allSatisfy({ $0 != nil }) else { return nil }
            return items.compactMap { $0 }.joined(separator: ",")
        default: return nil
        }
    }
}
