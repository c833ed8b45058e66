import CFFmpeg

/// Re-encodes a video file to H.264/MP4 (constant frame rate, +faststart), copying or re-encoding its audio as AAC.
public enum Transcoder {
    /// Transcodes `input` into `output`, written via a temporary file so a failure never leaves a partial `output`.
    public static func transcode(input: String, output: String, options: TranscodeOptions,
                                 progress: @Sendable (Double) -> Void = { _ in },
                                 isCancelled: @Sendable () -> Bool = { false }) throws -> TranscodeResult {
        try options.validate()
        let result = try TemporaryOutput.produce(output) { path in
            try run(input: input, temporaryPath: path, options: options, progress: progress, isCancelled: isCancelled)
        }
        progress(1)
        return result
    }

    private static func run(input path: String, temporaryPath: String, options: TranscodeOptions,
                            progress: @Sendable (Double) -> Void,
                            isCancelled: @Sendable () -> Bool) throws(MediaError) -> TranscodeResult {
        let input = try InputFile(path: path)
        guard let videoIndex = input.bestStream(AVMEDIA_TYPE_VIDEO), let videoStream = input.stream(videoIndex),
              let videoPar = videoStream.pointee.codecpar else {
            throw MediaError.noVideoStream(path: path)
        }
        let sourceWidth = Int(videoPar.pointee.width), sourceHeight = Int(videoPar.pointee.height)
        try validateDimensions(width: sourceWidth, height: sourceHeight)
        let decoder = try CodecContext.decoder(for: videoStream, path: path)
        let size = options.outputSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        let placement = fitPlacement(sourceWidth: sourceWidth, sourceHeight: sourceHeight, width: size.width, height: size.height)

        let file = try OutputFile(path: temporaryPath)
        let encoder = try H264Encoder(output: file, width: size.width, height: size.height, fps: options.fps,
                                      crf: options.quality.crf, preset: options.preset)
        let video = try ConstantRateVideo(encoder: encoder, placement: placement)

        var audioCopy: (source: Int, output: Int32)?
        var audioEncoder: AudioEncoder?
        if let audioIndex = input.bestStream(AVMEDIA_TYPE_AUDIO), let audioStream = input.stream(audioIndex),
           let audioPar = audioStream.pointee.codecpar {
            if audioPar.pointee.codec_id == AV_CODEC_ID_AAC {
                audioCopy = (audioIndex, try file.addCopyStream(from: audioStream))
            } else if avcodec_find_decoder(audioPar.pointee.codec_id) != nil {
                audioEncoder = try AudioEncoder(input: input, sourceStream: audioIndex, output: file)
            }
        }
        try file.writeHeader()

        let origin = input.startTime
        let timeBase = videoStream.pointee.time_base
        let inputFrameDuration = MediaProbe.frameRate(of: videoStream) > 0 ? 1 / MediaProbe.frameRate(of: videoStream) : 1.0 / 30
        let totalDuration = input.duration
        let packet = try Packet()
        let frame = try Frame()
        var lastTime = -Double.infinity
        var decodedFrames = 0

        func receiveVideoFrames() throws(MediaError) {
            while true {
                let code = avcodec_receive_frame(decoder.raw, frame.raw)
                if code == AVCode.again || code == AVCode.eof { return }
                if code == AVCode.invalidData { continue }
                try check(code, "decoding video of \(path)")
                if isCancelled() { throw MediaError.cancelled }
                var seconds = frame.bestEffortTimestamp.map { Double($0) * av_q2d(timeBase) - origin } ?? (lastTime + inputFrameDuration)
                if seconds <= lastTime { seconds = lastTime + 1e-6 }
                lastTime = seconds
                decodedFrames += 1
                try video.push(frame, at: seconds)
                if totalDuration > 0 {
                    progress(min(0.99, max(0, seconds / totalDuration)))
                }
            }
        }

        while try input.read(into: packet) {
            defer { packet.unref() }
            let index = Int(packet.streamIndex)
            if index == videoIndex {
                let code = avcodec_send_packet(decoder.raw, packet.raw)
                if code < 0 && code != AVCode.invalidData && code != AVCode.again {
                    try check(code, "decoding video of \(path)")
                }
                try receiveVideoFrames()
            } else if let copy = audioCopy, index == copy.source, let stream = input.stream(index) {
                let shift = av_rescale_q(input.raw.pointee.start_time == AVCode.noPTS ? 0 : input.raw.pointee.start_time,
                                         vf_time_base_q(), stream.pointee.time_base)
                if packet.raw.pointee.pts != AVCode.noPTS { packet.raw.pointee.pts -= shift }
                if packet.raw.pointee.dts != AVCode.noPTS { packet.raw.pointee.dts -= shift }
                try file.write(packet, stream: copy.output, from: stream.pointee.time_base)
            } else if let audio = audioEncoder, index == audio.sourceStream {
                try audio.handle(packet)
            }
        }
        try decoder.send(packet: nil)
        try receiveVideoFrames()
        guard decodedFrames > 0 else {
            throw MediaError.decodeFailed(path: path, reason: "no video frame could be decoded")
        }
        try video.finish(at: lastTime + inputFrameDuration)
        try audioEncoder?.finish()
        try file.finish()
        return TranscodeResult(width: size.width, height: size.height, fps: options.fps,
                               duration: Double(video.framesWritten) / Double(options.fps),
                               hasAudio: audioCopy != nil || audioEncoder != nil, audioCopied: audioCopy != nil,
                               frames: video.framesWritten)
    }
}

/// The even-aligned rectangle a `sourceWidth`×`sourceHeight` picture occupies when fitted (letterboxed) into `width`×`height`.
func fitPlacement(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
    let scale = min(Double(width) / Double(sourceWidth), Double(height) / Double(sourceHeight))
    var w = min(width, evenRound(Double(sourceWidth) * scale))
    var h = min(height, evenRound(Double(sourceHeight) * scale))
    if width - w <= 2 { w = width }
    if height - h <= 2 { h = height }
    let x = ((width - w) / 2) & ~1
    let y = ((height - h) / 2) & ~1
    return (x, y, w, h)
}
