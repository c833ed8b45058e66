import Foundation
import VidflowCore
import VidflowMedia

/// Sends one audio file to an OpenAI-compatible transcription service, in several uploads when it
/// is over the service's size limit, and merges the answers: segment times shifted by each chunk's
/// start, texts joined in order. Over the limit, 16-bit PCM WAV is cut at quiet moments by
/// `WAVChunker`; any other audio (or video) is first converted in process to 16 kHz mono WAV.
struct ChunkedTranscription: Sendable {
    let api: AudioTranscriptionAPI
    let maxBytes: Int

    /// The merged transcript and how many uploads it took.
    struct Result: Sendable {
        var answer: AudioTranscriptionAPI.Answer
        var chunks: Int
    }

    func run(path: String, model: String, language: String?, prompt: String?, diarize: Bool,
             context: any StageContext) async throws -> Result {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let filename = (path as NSString).lastPathComponent
        let what = diarize ? "diarize" : "transcribe"
        if size <= maxBytes {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw StageFailure(.invalidInput, "cannot read input \(path): \(error.localizedDescription)")
            }
            var answer = try await call(data, filename: filename, model: model, language: language, prompt: prompt,
                                        diarize: diarize, operation: "\(what) \(filename)")
            if answer.segments.isEmpty, !answer.text.isEmpty {
                // `json` answers carry no times: the whole text spans the audio.
                var duration = answer.duration ?? WAVAudio.open(path)?.duration
                if duration == nil { duration = try? await runBlocking { _ in try MediaProbe.probe(path: path).duration } }
                let end = duration ?? 0
                answer.segments = [TranscriptSegment(start: 0, end: end, text: answer.text)]
            }
            return Result(answer: answer, chunks: 1)
        }
        var converted: String?
        defer { if let converted { try? FileManager.default.removeItem(atPath: converted) } }
        var wav = WAVAudio.open(path)
        if wav?.isPCM16 != true {
            // Other formats (and WAV of other sample layouts) become 16 kHz mono 16-bit WAV, which is then cut.
            let scratch = context.artifacts.scratchPath(extension: "wav")
            converted = scratch
            await context.log("\(filename) is \(size) bytes, over the \(maxBytes)-byte upload limit: converting it to 16 kHz mono WAV to split it")
            do {
                _ = try await runBlocking { flag in
                    try AudioExtractor.extract(input: path, output: scratch, options: AudioExtractOptions(),
                                               isCancelled: { flag.isCancelled })
                }
            } catch {
                throw StageFailure.media(error, "converting \(filename) to WAV for splitting")
            }
            wav = WAVAudio.open(scratch)
        }
        guard let wav else {
            throw StageFailure(.internalError, "the WAV made from \(filename) cannot be read back")
        }
        let plan = try WAVChunker(maxBytes: maxBytes).plan(wav)
        await context.log("\(filename) is \(size) bytes, over the \(maxBytes)-byte upload limit: sending \(plan.count) chunks cut at quiet moments")
        var merged = AudioTranscriptionAPI.Answer(text: "", language: nil, duration: wav.duration, segments: [])
        let stem = (filename as NSString).deletingPathExtension
        for (index, frames) in plan.enumerated() {
            try Task.checkCancellation()
            let chunk = try wav.file(frames.lowerBound, count: frames.count)
            let offset = Double(frames.lowerBound) / Double(wav.sampleRate)
            let chunkEnd = Double(frames.upperBound) / Double(wav.sampleRate)
            let answer = try await call(chunk, filename: "\(stem)-part\(index + 1).wav", model: model, language: language,
                                        prompt: prompt, diarize: diarize,
                                        operation: "\(what) \(filename) chunk \(index + 1)/\(plan.count)")
            merged.language = merged.language ?? answer.language
            merged.text = Self.join(merged.text, answer.text)
            if answer.segments.isEmpty, !answer.text.isEmpty {
                merged.segments.append(TranscriptSegment(start: offset, end: chunkEnd, text: answer.text))
            }
            for segment in answer.segments {
                var shifted = segment
                shifted.start = min(segment.start + offset, chunkEnd)
                shifted.end = min(max(segment.end + offset, shifted.start), chunkEnd)
                merged.segments.append(shifted)
            }
            await context.reportProgress(min(99, (index + 1) * 100 / plan.count))
        }
        return Result(answer: merged, chunks: plan.count)
    }

    private func call(_ data: Data, filename: String, model: String, language: String?, prompt: String?, diarize: Bool,
                      operation: String) async throws(StageFailure) -> AudioTranscriptionAPI.Answer {
        do {
            return try await api.transcribe(data, filename: filename, model: model, language: language, prompt: prompt,
                                            diarize: diarize, operation: operation)
        } catch {
            throw error.stageFailure()
        }
    }

    /// Two transcript texts as one: a space between words, none between CJK characters.
    static func join(_ head: String, _ tail: String) -> String {
        guard let last = head.last else { return tail }
        guard let first = tail.first else { return head }
        return SubtitleFormatter.breaksAnywhere(last) || SubtitleFormatter.breaksAnywhere(first) ? head + tail : head + " " + tail
    }
}
