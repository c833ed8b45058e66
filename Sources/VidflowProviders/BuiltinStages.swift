import VidflowCore

/// The stage types vidflow ships, ready to register in a `StageRegistry`.
public enum BuiltinStages {
    /// Every built-in stage type; `dataDirectory` is where providers keep their job state.
    public static func all(dataDirectory: String) -> [any Stage] {
        [NoopStage()]
    }

    /// A registry holding every built-in stage type.
    public static func registry(dataDirectory: String) -> StageRegistry {
        StageRegistry(all(dataDirectory: dataDirectory))
    }
}
