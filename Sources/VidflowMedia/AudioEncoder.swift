import CFFmpeg

/// What `AudioEncoder` writes: an FFmpeg encoder, and the rate, channel count and bit rate (nil: chosen from the source).
struct AudioEncoding {
    var encoder: String
    var sampleRate: Int32?
    var channels: Int32?
    /// Bits per second per channel for lossy encoders; nil leaves the encoder's own choice.
    var bitRatePerChannel: Int64?

    /// AAC at the source's rate (48 kHz when AAC cannot take it), mono or stereo, 64 kb/s per channel.
    static let aacFromSource = AudioEncoding(encoder: "aac", sampleRate: nil, channels: nil, bitRatePerChannel: 64_000)
}

/// Decodes one audio stream and re-encodes it (AAC by default; any `AudioEncoding`), resampling with
/// libswresample to the encoder's sample format, rate and layout, into an `OutputFile`.
final class AudioEncoder {
    /// The output stream index.
    let outputStream: Int32
    /// The source stream index this encoder consumes.
    let sourceStream: Int
    private let decoder: CodecContext
    private let encoder: CodecContext
    private var resampler: AudioResampler?
    private let fifo: AudioFifo
    private let output: OutputFile
    private let decoded: Frame
    private let packet: Packet
    private let frameSize: Int
    /// Samples (per channel) handed to the encoder so far.
    private(set) var samplesWritten: Int64 = 0

    init(input: InputFile, sourceStream: Int, output: OutputFile, encoding: AudioEncoding = .aacFromSource) throws(MediaError) {
        guard let stream = input.stream(sourceStream) else { throw MediaError.decodeFailed(path: input.path, reason: "missing audio stream") }
        decoder = try CodecContext.decoder(for: stream, path: input.path, threads: 1)
        encoder = try CodecContext.encoder(named: encoding.encoder)
        let context = encoder.raw
        let codec = context.pointee.codec
        let channels = encoding.channels ?? min(2, max(1, decoder.raw.pointee.ch_layout.nb_channels))
        try Self.checkChannels(channels, codec: codec, name: encoding.encoder)
        av_channel_layout_default(&context.pointee.ch_layout, channels)
        context.pointee.sample_fmt = codec?.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        if let rate = encoding.sampleRate {
            try Self.checkRate(rate, codec: codec, name: encoding.encoder)
            context.pointee.sample_rate = rate
        } else {
            context.pointee.sample_rate = Self.supportedRate(decoder.raw.pointee.sample_rate, encoder: encoder)
        }
        if let perChannel = encoding.bitRatePerChannel {
            context.pointee.bit_rate = Int64(channels) * perChannel
        }
        context.pointee.time_base = AVRational(num: 1, den: context.pointee.sample_rate)
        if output.wantsGlobalHeader {
            context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        try encoder.open()
        outputStream = try output.addStream(encoder: encoder)
        self.sourceStream = sourceStream
        fifo = try AudioFifo(format: context.pointee.sample_fmt, channels: channels)
        self.output = output
        decoded = try Frame()
        packet = try Packet()
        frameSize = context.pointee.frame_size > 0 ? Int(context.pointee.frame_size) : 1024
    }

    /// The encoder's sample rate.
    var sampleRate: Int { Int(encoder.raw.pointee.sample_rate) }
    /// The encoder's channel count.
    var channels: Int { Int(encoder.raw.pointee.ch_layout.nb_channels) }

    /// The source rate when the encoder supports it, else 48 kHz.
    private static func supportedRate(_ rate: Int32, encoder: CodecContext) -> Int32 {
        guard let rates = encoder.raw.pointee.codec.pointee.supported_samplerates else { return rate > 0 ? rate : 48000 }
        var index = 0
        while rates[index] != 0 {
            if rates[index] == rate { return rate }
            index += 1
        }
        return 48000
    }

    /// Throws `invalidOptions` naming the rates the encoder takes when `rate` is not one of them.
    private static func checkRate(_ rate: Int32, codec: UnsafePointer<AVCodec>?, name: String) throws(MediaError) {
        guard rate >= 1000, rate <= 384_000 else {
            throw MediaError.invalidOptions("sample rate must be between 1000 and 384000 Hz, got \(rate)")
        }
        guard let rates = codec?.pointee.supported_samplerates else { return }
        var supported: [Int32] = []
        var index = 0
        while rates[index] != 0 {
            supported.append(rates[index])
            index += 1
        }
        if !supported.contains(rate) {
            let list = supported.sorted().map(String.init).joined(separator: ", ")
            throw MediaError.invalidOptions("the \(name) encoder takes sample rates \(list); got \(rate)")
        }
    }

    /// Throws `invalidOptions` when the encoder lists its channel layouts and none has `channels` channels.
    private static func checkChannels(_ channels: Int32, codec: UnsafePointer<AVCodec>?, name: String) throws(MediaError) {
        guard channels >= 1, channels <= 8 else {
            throw MediaError.invalidOptions("channels must be between 1 and 8, got \(channels)")
        }
        guard let layouts = codec?.pointee.ch_layouts else { return }
        var counts: Set<Int32> = []
        var index = 0
        while layouts[index].nb_channels != 0 {
            counts.insert(layouts[index].nb_channels)
            index += 1
        }
        if !counts.isEmpty, !counts.contains(channels) {
            let list = counts.sorted().map(String.init).joined(separator: " or ")
            throw MediaError.invalidOptions("the \(name) encoder takes \(list) channels; got \(channels)")
        }
    }

    /// Decodes one packet of the source audio stream and encodes whatever is ready.
    func handle(_ packet: Packet) throws(MediaError) {
        let code = avcodec_send_packet(decoder.raw, packet.raw)
        if code < 0 && code != AVCode.invalidData && code != AVCode.again { try check(code, "decoding audio") }
        try drainDecoder()
    }

    /// Flushes decoder, resampler, FIFO and encoder.
    func finish() throws(MediaError) {
        try decoder.send(packet: nil)
        try drainDecoder()
        try resample(nil)
        try encodeFromFifo(flushing: true)
        try encoder.send(frame: nil)
        try drainEncoder()
    }

    private func drainDecoder() throws(MediaError) {
        while true {
            let code = avcodec_receive_frame(decoder.raw, decoded.raw)
            if code == AVCode.again || code == AVCode.eof { return }
            if code == AVCode.invalidData { continue }
            try check(code, "decoding audio")
            try resample(decoded)
            decoded.unref()
            try encodeFromFifo(flushing: false)
        }
    }

    private func resample(_ input: Frame?) throws(MediaError) {
        if let input, resampler?.accepts(input) != true {
            if resampler != nil { try resample(nil) }  // drain the old configuration first
            resampler = try AudioResampler(from: input, to: encoder)
        }
        guard let resampler else { return }
        let converted = try Frame()
        converted.raw.pointee.format = encoder.raw.pointee.sample_fmt.rawValue
        converted.raw.pointee.sample_rate = encoder.raw.pointee.sample_rate
        try check(av_channel_layout_copy(&converted.raw.pointee.ch_layout, &encoder.raw.pointee.ch_layout), "copying a channel layout")
        try resampler.convert(input, into: converted)
        try fifo.write(converted)
    }

    private func encodeFromFifo(flushing: Bool) throws(MediaError) {
        while fifo.count >= frameSize || (flushing && fifo.count > 0) {
            let frame = try Frame(samples: frameSize, format: encoder.raw.pointee.sample_fmt,
                                  layout: &encoder.raw.pointee.ch_layout, sampleRate: encoder.raw.pointee.sample_rate)
            let count = try fifo.read(into: frame)
            frame.pts = samplesWritten
            samplesWritten += Int64(count)
            try encoder.send(frame: frame)
            try drainEncoder()
        }
    }

    private func drainEncoder() throws(MediaError) {
        while try encoder.receive(packet: packet) {
            try output.write(packet, stream: outputStream, from: encoder.raw.pointee.time_base)
            packet.unref()
        }
    }
}
