import Foundation

/// A `.env` file as Docker Compose and python-dotenv read it: `NAME=value` lines, `export NAME=value`,
/// `#` comments and blank lines; a value in matching single or double quotes is taken without them, an
/// unquoted value ends before ` #`. Any other line is an error naming the file and line — never the
/// line itself, which may hold a key.
///
/// swift-configuration's own `.env` reader (`EnvironmentVariablesProvider(environmentFilePath:)`) skips
/// malformed lines silently and keeps quotes and trailing comments in values (`"sk-…"` would be sent as
/// the key, quotes included), so the file is parsed here and its variables handed to an
/// `EnvironmentVariablesProvider` (`SettingsLayer.environment`).
enum DotEnvFile {
    static func parse(_ text: String, path: String) throws -> [String: String] {
        var variables: [String: String] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            let place = "settings file '\(path)' line \(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw CLIFailure.badInput("\(place): expected NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard isVariableName(name) else {
                throw CLIFailure.badInput("\(place): '\(name.prefix(40))' is not a variable name (letters, digits, _)")
            }
            variables[name] = try value(String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces),
                                        at: place)
        }
        return variables
    }

    /// Letters, digits and `_`, not starting with a digit (ASCII, as shells take them).
    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) }
    }

    private static func value(_ text: String, at place: String) throws -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            guard let comment = text.range(of: " #") else { return text }
            return String(text[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
        }
        let rest = text.dropFirst()
        guard let end = rest.firstIndex(of: quote) else { throw CLIFailure.badInput("\(place): the quote is not closed") }
        let after = rest[rest.index(after: end)...].trimmingCharacters(in: .whitespaces)
        guard after.isEmpty || after.hasPrefix("#") else {
            throw CLIFailure.badInput("\(place): unexpected text after the closing quote")
        }
        return String(rest[..<end])
    }
}
