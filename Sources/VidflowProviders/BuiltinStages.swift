import VidflowCore

/// The stage types vidflow ships, ready to register in a `StageRegistry`.
public enum BuiltinStages {
    /// Every built-in stage type; `dataDirectory` is where providers keep their job state.
    public static func all(dataDirectory: String) -> [any Stage] {
        all(providers: ProviderRegistry.standard(dataDirectory: dataDirectory))
    }

    /// Every built-in stage type, the `video.*` ones talking to `providers`.
    public static func all(providers: ProviderRegistry) -> [any Stage] {
        [
            NoopStage(),
            ImageUploadStage(),
            VideoGenerateStage(providers: providers),
            VideoPollStage(providers: providers),
            VideoDownloadStage(providers: providers),
            TranscodeStage(),
            ThumbnailStage(),
            ProbeStage(),
        ]
    }

    /// A registry holding every built-in stage type.
    public static func registry(dataDirectory: String) -> StageRegistry {
        StageRegistry(all(dataDirectory: dataDirectory))
    }

    /// A registry holding every built-in stage type over the given providers.
    public static func registry(providers: ProviderRegistry) -> StageRegistry {
        StageRegistry(all(providers: providers))
    }
}
