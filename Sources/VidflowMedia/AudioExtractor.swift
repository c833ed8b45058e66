import CFFmpeg

/// Extracts the audio track of a video (or audio) file into WAV, FLAC, MP3 or M4A:
/// decode → resample (libswresample) → encode → mux, all in process.
public enum AudioExtractor {
    /// Extracts the best audio stream of `input` into `output`, written via a temporary file so a failure
    /// never leaves a partial `output`. Throws `MediaError.noAudioStream` when `input` has none.
    public static func extract(input: String, output: String, options: AudioExtractOptions = AudioExtractOptions(),
                               progress: @Sendable (Double) -> Void = { _ in },
                               isCancelled: @Sendable () -> Bool = { false }) throws -> AudioExtractResult {
        try options.validate()
        let result = try TemporaryOutput.produce(output) { path in
            try run(input: input, temporaryPath: path, options: options, progress: progress, isCancelled: isCancelled)
        }
        progress(1)
        return result
    }

    private static func run(input path: String, temporaryPath: String, options: AudioExtractOptions,
                            progress: @Sendable (Double) -> Void,
                            isCancelled: @Sendable () -> Bool) throws(MediaError) -> AudioExtractResult {
        let input = try InputFile(path: path)
        guard let audioIndex = input.bestStream(AVMEDIA_TYPE_AUDIO), let audioStream = input.stream(audioIndex) else {
            throw MediaError.noAudioStream(path: path)
        }
        guard let parameters = audioStream.pointee.codecpar, avcodec_find_decoder(parameters.pointee.codec_id) != nil else {
            throw MediaError.unsupportedCodec(path: path, codec: audioStream.pointee.codecpar.map(codecName) ?? "unknown")
        }
        for index in 0..<input.streamCount where index != audioIndex {
            input.stream(index)?.pointee.discard = AVDISCARD_ALL  // the demuxer may skip what we do not read
        }
        let file = try OutputFile(path: temporaryPath, format: options.format.muxer)
        let encoder = try AudioEncoder(input: input, sourceStream: audioIndex, output: file, encoding: options.encoding)
        try file.writeHeader()

        let timeBase = audioStream.pointee.time_base
        let origin = input.startTime
        let totalDuration = input.duration
        let packet = try Packet()
        var packets = 0
        while try input.read(into: packet) {
            defer { packet.unref() }
            guard Int(packet.streamIndex) == audioIndex else { continue }
            packets += 1
            if packets % 64 == 0, isCancelled() { throw MediaError.cancelled }
            if totalDuration > 0, packet.raw.pointee.pts != AVCode.noPTS {
                let seconds = Double(packet.raw.pointee.pts) * av_q2d(timeBase) - origin
                progress(min(0.99, max(0, seconds / totalDuration)))
            }
            try encoder.handle(packet)
        }
        if isCancelled() { throw MediaError.cancelled }
        try encoder.finish()
        guard encoder.samplesWritten > 0 else {
            throw MediaError.decodeFailed(path: path, reason: "no audio could be decoded")
        }
        try file.finish()
        return AudioExtractResult(format: options.format, sampleRate: encoder.sampleRate, channels: encoder.channels,
                                  duration: Double(encoder.samplesWritten) / Double(encoder.sampleRate))
    }
}
