import Foundation
import VidflowCore

/// The speech and subtitle stages, each under its vidflow name and its YiVideo name
/// (`faster_whisper.transcribe_audio`, `pyannote_audio.diarize_speakers`,
/// `wservice.generate_subtitle_files`), configured from `environment` (`AudioServiceSettings`).
public enum AudioStages {
    /// vidflow's name → YiVideo's name for the same stage.
    public static let aliases: [String: String] = [
        "audio.transcribe": "faster_whisper.transcribe_audio",
        "audio.diarize": "pyannote_audio.diarize_speakers",
        "subtitles.generate": "wservice.generate_subtitle_files",
    ]

    public static func all(environment: [String: String] = ProcessInfo.processInfo.environment) -> [any Stage] {
        let transcription = AudioServiceSettings.resolve("transcription", environment: environment)
        let diarization = AudioServiceSettings.resolve("diarization", environment: environment)
        let pyannote = AudioServiceSettings.resolve("pyannote", environment: environment)
        let backend = environment["VIDFLOW_DIARIZATION_BACKEND"] ?? "openai"
        return ["audio.transcribe", "faster_whisper.transcribe_audio"].map {
            AudioTranscribeStage(typeName: $0, settings: transcription)
        } + ["audio.diarize", "pyannote_audio.diarize_speakers"].map {
            AudioDiarizeStage(typeName: $0, openAI: diarization, pyannote: pyannote, defaultBackend: backend)
        } + ["subtitles.generate", "wservice.generate_subtitle_files"].map { SubtitlesStage(typeName: $0) }
    }
}
