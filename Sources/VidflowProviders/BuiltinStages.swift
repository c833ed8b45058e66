import Foundation
import VidflowCore

/// The stage types vidflow ships, ready to register in a `StageRegistry`.
public enum BuiltinStages {
    /// Every built-in stage type; `dataDirectory` is where providers keep their job state.
    public static func all(dataDirectory: String) -> [any Stage] {
        all(providers: ProviderRegistry.standard(dataDirectory: dataDirectory))
    }

    /// Every built-in stage type, the `video.*` ones talking to `providers`; the speech stages read their
    /// services' settings from `environment` (`AudioServiceSettings`).
    public static func all(providers: ProviderRegistry,
                           environment: [String: String] = ProcessInfo.processInfo.environment) -> [any Stage] {
        all(providers: providers, settings: .environment(environment))
    }

    /// Every built-in stage type, the `video.*` ones talking to `providers`, the speech stages configured from `settings`.
    public static func all(providers: ProviderRegistry, settings: VidflowSettings) -> [any Stage] {
        [
            NoopStage(),
            ImageUploadStage(),
            VideoGenerateStage(providers: providers),
            VideoPollStage(providers: providers),
            VideoDownloadStage(providers: providers),
            TranscodeStage(),
            ThumbnailStage(),
            SpriteSheetStage(),
            ProbeStage(),
            ExtractAudioStage(),
            MuxSubtitlesStage(),
        ] + AudioStages.all(settings: settings)
    }

    /// A registry holding every built-in stage type.
    public static func registry(dataDirectory: String) -> StageRegistry {
        StageRegistry(all(dataDirectory: dataDirectory))
    }

    /// A registry holding every built-in stage type over the given providers.
    public static func registry(providers: ProviderRegistry,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> StageRegistry {
        StageRegistry(all(providers: providers, environment: environment))
    }

    /// A registry holding every built-in stage type over the given providers, speech services from `settings`.
    public static func registry(providers: ProviderRegistry, settings: VidflowSettings) -> StageRegistry {
        StageRegistry(all(providers: providers, settings: settings))
    }
}
