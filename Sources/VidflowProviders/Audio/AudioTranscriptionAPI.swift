import Foundation
import VidflowCore

/// Calls an OpenAI-compatible `POST /audio/transcriptions` (OpenAI, Groq, faster-whisper servers)
/// through the shared `ProviderHTTPClient` and reads the answer into segments.
///
/// `whisper-1` and Whisper servers answer `verbose_json` with timed segments; OpenAI's
/// `gpt-4o-transcribe` models accept only `json` (text without times), and
/// `gpt-4o-transcribe-diarize` answers `diarized_json` (segments with a `speaker`).
struct AudioTranscriptionAPI: Sendable {
    /// What the service answered for one upload, times relative to that upload.
    struct Answer: Sendable {
        var text: String
        var language: String?
        var duration: Double?
        var segments: [TranscriptSegment]
    }

    let http: ProviderHTTPClient

    /// The response format `model` supports with the most timing detail.
    static func responseFormat(model: String, diarize: Bool) -> String {
        if diarize { return "diarized_json" }
        let lowered = model.lowercased()
        return lowered.hasPrefix("gpt-4o") || lowered.hasPrefix("gpt-transcribe") ? "json" : "verbose_json"
    }

    /// Uploads one audio file and returns the service's transcript.
    func transcribe(_ audio: Data, filename: String, model: String, language: String?, prompt: String?,
                    diarize: Bool = false, operation: String) async throws(ProviderError) -> Answer {
        let format = Self.responseFormat(model: model, diarize: diarize)
        var form = MultipartBody()
        form.addFile("file", filename: filename, contentType: Self.contentType(filename), data: audio)
        form.add("model", model)
        if let language, !language.isEmpty { form.add("language", language) }
        if let prompt, !prompt.isEmpty { form.add("prompt", prompt) }
        form.add("response_format", format)
        if format == "verbose_json" { form.add("timestamp_granularities[]", "segment") }
        // OpenAI refuses diarization of more than 30 s without it.
        if diarize { form.add("chunking_strategy", "auto") }
        let answer = try await http.json(ProviderHTTPRequest("POST", "/audio/transcriptions", body: .multipart(form),
                                                              operation: operation))
        return try Self.parse(answer, provider: http.provider, operation: operation)
    }

    /// Reads a `verbose_json`, `json` or `diarized_json` answer.
    static func parse(_ answer: JSONValue, provider: String, operation: String) throws(ProviderError) -> Answer {
        guard let text = answer["text"]?.stringValue else {
            throw ProviderError(provider: provider, operation: operation, kind: .transient,
                                message: "the answer has no 'text': " + String(answer.canonicalJSON.prefix(300)))
        }
        var segments: [TranscriptSegment] = []
        for item in answer["segments"]?.arrayValue ?? [] {
            guard let start = item["start"]?.doubleValue, let end = item["end"]?.doubleValue,
                  let words = item["text"]?.stringValue else { continue }
            let speaker = item["speaker"]?.stringValue ?? item["speaker"]?.intValue.map(String.init)
            segments.append(TranscriptSegment(start: start, end: end, text: words.trimmingCharacters(in: .whitespaces),
                                              speaker: speaker))
        }
        return Answer(text: text.trimmingCharacters(in: .whitespacesAndNewlines), language: answer["language"]?.stringValue,
                      duration: answer["duration"]?.doubleValue, segments: segments)
    }

    /// The MIME type services expect for an audio file name.
    static func contentType(_ filename: String) -> String {
        switch (filename as NSString).pathExtension.lowercased() {
        case "wav": "audio/wav"
        case "mp3", "mpga", "mpeg": "audio/mpeg"
        case "m4a": "audio/mp4"
        case "mp4": "video/mp4"
        case "flac": "audio/flac"
        case "ogg", "oga", "opus": "audio/ogg"
        case "webm": "audio/webm"
        default: "application/octet-stream"
        }
    }
}
