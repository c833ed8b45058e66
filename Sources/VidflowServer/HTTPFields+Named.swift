import HTTPTypes

extension HTTPFields {
    /// The value of a header by its (case-insensitive) name, for names HTTPTypes has no constant for.
    subscript(named name: String) -> String? {
        first { $0.name.canonicalName == name.lowercased() }?.value
    }
}
