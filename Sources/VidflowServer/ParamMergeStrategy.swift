/// How a retry or incremental run's new inputs combine with its base run's.
enum ParamMergeStrategy: String, CaseIterable, Sendable {
    /// New inputs override the base run's; the rest are kept.
    case merge
    /// Only the new inputs count; the base run's are dropped (defaults apply).
    case override
    /// Any change from the base run's inputs is refused (400 listing the keys).
    case strict
}
