import Foundation
import VidflowCore

/// The speech and subtitle stages, each under its vidflow name and its YiVideo name
/// (`faster_whisper.transcribe_audio`, `pyannote_audio.diarize_speakers`,
/// `wservice.generate_subtitle_files`), configured from `VidflowSettings` (`AudioServiceSettings`).
public enum AudioStages {
    /// vidflow's name → YiVideo's name for the same stage.
    public static let aliases: [String: String] = [
        "audio.transcribe": "faster_whisper.transcribe_audio",
        "audio.diarize": "pyannote_audio.diarize_speakers",
        "subtitles.generate": "wservice.generate_subtitle_files",
    ]

    public static func all(environment: [String: String] = ProcessInfo.processInfo.environment) -> [any Stage] {
        all(settings: .environment(environment))
    }

    /// The stages with their services read from `settings` (`audio.*`).
    public static func all(settings: VidflowSettings) -> [any Stage] {
        let transcription = AudioServiceSettings.resolve("transcription", settings: settings)
        let diarization = AudioServiceSettings.resolve("diarization", settings: settings)
        let pyannote = AudioServiceSettings.resolve("pyannote", settings: settings)
        let backend = settings.string("audio.diarization.backend") ?? "openai"
        return ["audio.transcribe", "faster_whisper.transcribe_audio"].map {
            AudioTranscribeStage(typeName: $0, settings: transcription)
        } + ["audio.diarize", "pyannote_audio.diarize_speakers"].map {
            AudioDiarizeStage(typeName: $0, openAI: diarization, pyannote: pyannote, defaultBackend: backend)
        } + ["subtitles.generate", "wservice.generate_subtitle_files"].map { SubtitlesStage(typeName: $0) }
    }
}
