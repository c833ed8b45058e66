import Foundation
import VidflowCore

/// How to reach an OpenAI-compatible audio service (`POST /v1/audio/transcriptions`): OpenAI,
/// Groq, or a self-hosted faster-whisper server. Built from the environment like a video provider's
/// settings (`ProviderSettings.resolve`), so keys rotate, are rate limited and never shown in clear.
///
/// Variables for service `transcription` (and likewise `diarization`):
/// `VIDFLOW_TRANSCRIPTION_BASE_URL` (default `https://api.openai.com/v1`), `VIDFLOW_TRANSCRIPTION_API_KEY`
/// (comma-separated; falls back to `OPENAI_API_KEY`), `VIDFLOW_TRANSCRIPTION_MODEL` (default `whisper-1`;
/// `gpt-4o-transcribe-diarize` for diarization), `VIDFLOW_TRANSCRIPTION_MAX_UPLOAD_MB` (default 25),
/// `_RPM`, `_TIMEOUT` (seconds per request, default 300). `diarization` falls back to the
/// `transcription` base URL and keys before OpenAI's. Service `pyannote` (pyannoteAI's hosted
/// diarization) reads `PYANNOTE_API_KEY` or `VIDFLOW_PYANNOTE_API_KEY` and defaults to `https://api.pyannote.ai`.
///
/// ```swift
/// let settings = AudioServiceSettings.resolve("transcription")
/// let http = settings.httpClient()
/// ```
public struct AudioServiceSettings: Sendable {
    /// `transcription` or `diarization`: the name in errors, stats and variable names.
    public var service: String
    /// Up to and including `/v1` (requests go to `<baseURL>/audio/transcriptions`).
    public var baseURL: String
    public var model: String
    /// Larger audio is split into chunks below this size (OpenAI's limit is 25 MB).
    public var maxUploadBytes: Int
    /// Keys, rate limit and request timeout.
    public var provider: ProviderSettings

    public static let openAIBaseURL = "https://api.openai.com/v1"
    public static let pyannoteBaseURL = "https://api.pyannote.ai"

    public init(service: String, baseURL: String = AudioServiceSettings.openAIBaseURL, apiKeys: [String], model: String,
                maxUploadBytes: Int = 25 * 1_000_000, requestTimeout: Int = 300, requestsPerMinute: Int? = nil) {
        self.service = service
        self.baseURL = baseURL
        self.model = model
        self.maxUploadBytes = maxUploadBytes
        provider = ProviderSettings(apiKeys: apiKeys, baseURL: baseURL, requestsPerMinute: requestsPerMinute,
                                    requestTimeout: requestTimeout)
    }

    /// The default model of each service.
    public static func defaultModel(_ service: String) -> String {
        service == "diarization" ? "gpt-4o-transcribe-diarize" : "whisper-1"
    }

    /// Settings for `service` from `environment` (see the type's description for the variables).
    public static func resolve(_ service: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> AudioServiceSettings {
        resolve(service, settings: .environment(environment))
    }

    /// Settings for `service` read from `settings` (`audio.<service>.*`; OpenAI's key is the last fallback).
    public static func resolve(_ service: String, settings: VidflowSettings) -> AudioServiceSettings {
        let own = ProviderSettings.resolve(provider: service, settings: settings)
        let fallbacks = service == "diarization" ? [ProviderSettings.resolve(provider: "transcription", settings: settings)] : []
        // pyannote's own variable (`PYANNOTE_API_KEY`) is one of its key's variables; the others fall back to OpenAI's key.
        let vendorKeys = service == "pyannote" ? [] : ProviderSettings.resolve(provider: "openai", settings: settings).apiKeys
        let prefix = SettingsCatalog.prefix(of: service) + "."
        let keys = ([own] + fallbacks).map(\.apiKeys).first { !$0.isEmpty } ?? vendorKeys
        let base = ([own] + fallbacks).compactMap(\.baseURL).first ?? (service == "pyannote" ? pyannoteBaseURL : openAIBaseURL)
        let megabytes = settings.double(prefix + "max_upload_mb").flatMap { $0 > 0 ? $0 : nil } ?? 25
        return AudioServiceSettings(service: service, baseURL: base, apiKeys: keys,
                                    model: settings.string(prefix + "model") ?? defaultModel(service),
                                    maxUploadBytes: Int(megabytes * 1_000_000),
                                    requestTimeout: settings.int(prefix + "timeout") ?? 300,
                                    requestsPerMinute: own.requestsPerMinute)
    }

    /// The HTTP client for this service: bearer auth, key rotation, retries honouring Retry-After.
    public func httpClient() -> ProviderHTTPClient {
        ProviderHTTPClient(provider: service, settings: provider, baseURL: baseURL) { key in
            [("Authorization", "Bearer \(key)")]
        }
    }

    /// Keys masked, for display.
    public var masked: [String: String] {
        var shown = provider.masked
        shown["model"] = model
        shown["max_upload_bytes"] = String(maxUploadBytes)
        return shown
    }
}
