import Foundation
import VidflowTestSupport
import XCTest

/// Inputs generated once per test run with the ffmpeg CLI, in one temporary directory.
final class MediaFixtures: Sendable {
    let directory: String
    /// 320x180, 25 fps, 2 s, H.264 + AAC, moov at the end (no faststart).
    let clip: String
    /// 320x180, 25 fps, 2 s, H.264 + mono 22.05 kHz PCM in Matroska.
    let pcmClip: String
    /// 320x180, 25 fps, 1 s, H.264 + MP3 in MP4.
    let mp3Clip: String
    /// 160x90, 10 frames, faststart MP4, for fuzzing.
    let tinyClip: String
    let png: String
    let jpeg: String
    let webp: String

    static let shared: Result<MediaFixtures, ToolError> = {
        guard ffmpegAvailable else { return .failure(ToolError(message: "ffmpeg CLI not installed")) }
        do {
            return .success(try MediaFixtures())
        } catch {
            return .failure(ToolError(message: "\(error)"))
        }
    }()

    private static var directoryPath: String { NSTemporaryDirectory() + "vidflow-media-tests-\(getpid())" }

    private init() throws {
        let dir = Self.directoryPath
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: MediaFixtures.directoryPath) }
        directory = dir
        let base = ["-hide_banner", "-loglevel", "error", "-y"]
        let video = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"]
        let x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        clip = dir + "/clip.mp4"
        try runTool("ffmpeg", base + video + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "2"]
                    + x264 + ["-c:a", "aac", "-shortest", clip])
        pcmClip = dir + "/clip-pcm.mkv"
        try runTool("ffmpeg", base + video + ["-f", "lavfi", "-i", "sine=frequency=300:sample_rate=22050", "-t", "2"]
                    + x264 + ["-c:a", "pcm_s16le", "-ac", "1", pcmClip])
        mp3Clip = dir + "/clip-mp3.mp4"
        try runTool("ffmpeg", base + video + ["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=44100", "-t", "1"]
                    + x264 + ["-c:a", "libmp3lame", "-ac", "2", mp3Clip])
        tinyClip = dir + "/tiny.mp4"
        try runTool("ffmpeg", base + ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10", "-frames:v", "10"]
                    + x264 + ["-g", "5", "-movflags", "+faststart", tinyClip])
        png = dir + "/image.png"
        try runTool("ffmpeg", base + ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", png])
        jpeg = dir + "/image.jpg"
        try runTool("ffmpeg", base + ["-f", "lavfi", "-i", "testsrc2=size=120x80", "-frames:v", "1", jpeg])
        webp = dir + "/image.webp"
        try runTool("ffmpeg", base + ["-f", "lavfi", "-i", "testsrc2=size=100x60", "-frames:v", "1", "-c:v", "libwebp", webp])
    }

    /// A fresh path inside the fixture directory.
    func path(_ name: String) -> String {
        directory + "/\(UUID().uuidString.prefix(8))-\(name)"
    }
}

/// The shared fixtures, or a skip when ffmpeg is missing.
func fixtures() throws -> MediaFixtures {
    try requireFFmpeg()
    return try MediaFixtures.shared.get()
}

/// Decodes an image or video frame to 8-bit grey pixels with the ffmpeg CLI.
func greyPixels(_ path: String) throws -> [UInt8] {
    [UInt8](try runTool("ffmpeg", ["-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"]))
}

/// Deterministic PRNG for the fuzz tests.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
