/// The size limits every workflow definition must keep, in one place (documented in `docs/security.md`).
///
/// A definition comes from people the service does not trust; these bounds keep parsing, validation,
/// planning and scheduling fast and shallow whatever is posted:
/// ```swift
/// DefinitionLimits.maxStages          // 10_000: a 10k-stage chain is still accepted
/// DefinitionLimits.excerpt(hugeText)  // the first 80 characters and "…", for error messages
/// ```
public enum DefinitionLimits {
    /// Stages in one definition (`stages:` or `workflow_chain:`).
    public static let maxStages = 10_000
    /// Bytes (UTF-8) in one string value or key. Large enough for a `data:` URI of a ~6 MB image in
    /// `image.upload`'s `source` (base64 adds a third); every other field is far smaller. Over HTTP the
    /// JSON body limit (`ServerArguments.maxJSONBytes`, 1 MiB by default) is the tighter bound.
    public static let maxStringBytes = 8 * 1024 * 1024
    /// Bytes in a workflow file read by the CLI or the server's workflow library.
    public static let maxDocumentBytes = 16 * 1024 * 1024
    /// Nested arrays and mappings in a document (the stage list and a stage's `with` already take 3).
    public static let maxNestingDepth = 64
    /// Nested operators and parentheses in one `${{ … }}` expression.
    public static let maxExpressionDepth = 64
    /// Nodes a YAML document may hold once its aliases are followed.
    public static let maxYAMLNodes = 1_000_000
    /// Nodes all of a YAML document's aliases may copy in together (the "billion laughs" bound): a
    /// definition repeats a few small blocks (`with: *common`), never a hundred thousand nodes.
    public static let maxYAMLAliasNodes = 100_000
    /// Problems collected before validation stops looking for more.
    public static let maxIssues = 100
    /// Characters of user input quoted in an error message.
    public static let maxExcerptCharacters = 80

    /// `text` cut to `maxExcerptCharacters` with "…", so an error message never echoes a huge value.
    public static func excerpt(_ text: some StringProtocol, limit: Int = maxExcerptCharacters) -> String {
        let head = text.unicodeScalars.prefix(limit + 1)
        guard head.count > limit else { return String(text) }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: head.prefix(limit))
        return String(view) + "…"
    }
}
