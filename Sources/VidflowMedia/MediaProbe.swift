import CFFmpeg
import Foundation

/// Reads a media file's container and stream facts, and proves the video decodes.
public enum MediaProbe {
    /// Probes `path` and decodes its first video frame; throws `MediaError` for anything unreadable.
    public static func probe(path: String) throws -> MediaInfo {
        let input = try InputFile(path: path)
        var streams: [StreamInfo] = []
        for index in 0..<input.streamCount {
            guard let stream = input.stream(index), let par = stream.pointee.codecpar else { continue }
            let tb = stream.pointee.time_base
            let duration = stream.pointee.duration == AVCode.noPTS || tb.den == 0
                ? nil : Double(stream.pointee.duration) * av_q2d(tb)
            streams.append(StreamInfo(index: index, type: mediaTypeName(par.pointee.codec_type), codec: codecName(par),
                                      duration: duration, bitRate: par.pointee.bit_rate > 0 ? Int(par.pointee.bit_rate) : nil))
        }
        var video: VideoStreamInfo?
        if let index = input.bestStream(AVMEDIA_TYPE_VIDEO), let stream = input.stream(index), let par = stream.pointee.codecpar {
            let width = Int(par.pointee.width), height = Int(par.pointee.height)
            try validateDimensions(width: width, height: height)
            let reader = try VideoFrameReader(input: input, streamIndex: index, threads: 1)
            let frame = try Frame()
            guard try reader.next(into: frame) else {
                throw MediaError.decodeFailed(path: path, reason: "no video frame could be decoded")
            }
            try validateDimensions(width: frame.width, height: frame.height)
            let frames = stream.pointee.nb_frames
            video = VideoStreamInfo(codec: codecName(par), width: frame.width, height: frame.height,
                                    fps: frameRate(of: stream), pixelFormat: pixelFormatName(frame.pixelFormat),
                                    frameCount: frames > 0 ? Int(frames) : nil)
        }
        var audio: AudioStreamInfo?
        if let index = input.bestStream(AVMEDIA_TYPE_AUDIO), let par = input.stream(index)?.pointee.codecpar {
            audio = AudioStreamInfo(codec: codecName(par), sampleRate: Int(par.pointee.sample_rate),
                                    channels: Int(par.pointee.ch_layout.nb_channels))
        }
        if video == nil && audio == nil {
            throw MediaError.noVideoStream(path: path)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return MediaInfo(duration: input.duration, formatName: input.formatName, bitRate: Int(input.raw.pointee.bit_rate),
                         size: size, streams: streams, video: video, audio: audio)
    }

    /// Average frame rate of a stream, falling back to its base rate; 0 when unknown.
    static func frameRate(of stream: UnsafeMutablePointer<AVStream>) -> Double {
        for rate in [stream.pointee.avg_frame_rate, stream.pointee.r_frame_rate] where rate.num > 0 && rate.den > 0 {
            return av_q2d(rate)
        }
        return 0
    }
}

/// Rejects zero, negative and oversized dimensions.
func validateDimensions(width: Int, height: Int) throws(MediaError) {
    if width <= 0 || height <= 0 {
        throw MediaError.invalidDimensions(width: width, height: height, reason: "width and height must be positive")
    }
    if width > maxDimension || height > maxDimension {
        throw MediaError.invalidDimensions(width: width, height: height, reason: "larger than \(maxDimension) pixels")
    }
}

/// "video", "audio", ... for a media type.
func mediaTypeName(_ type: AVMediaType) -> String {
    switch type {
    case AVMEDIA_TYPE_VIDEO: "video"
    case AVMEDIA_TYPE_AUDIO: "audio"
    case AVMEDIA_TYPE_SUBTITLE: "subtitle"
    case AVMEDIA_TYPE_DATA: "data"
    case AVMEDIA_TYPE_ATTACHMENT: "attachment"
    default: "unknown"
    }
}
