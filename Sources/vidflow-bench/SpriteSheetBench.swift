import Foundation
import VidflowMedia

/// Benchmarks `SpriteSheet` against the ffmpeg CLI's `fps=…,scale=…,tile=5x5` on a 10 s 720p30 clip, with one
/// keyframe per 10 s (decoded straight through) and one per second (sought between tiles).
func runSpriteSheetBench() throws {
    let directory = NSTemporaryDirectory() + "vidflow-sprite-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let options = SpriteSheetOptions()
    for keyframeInterval in [300, 30] {
        let clip = directory + "/clip-g\(keyframeInterval).mp4"
        try runCLI(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10", "-c:v", "libx264", "-preset", "veryfast",
                    "-pix_fmt", "yuv420p", "-g", String(keyframeInterval), clip])
        let ours = try bestOf(3) {
            _ = try SpriteSheet.make(input: clip, output: directory + "/sheet.jpg", options: options)
        }
        let cli = try bestOf(3) {
            try runCLI(["-i", clip, "-vf", "fps=\(options.tileCount)/10,scale=256:144,tile=5x5", "-frames:v", "1",
                        "-q:v", String(ThumbnailOptions(quality: options.quality).qscale), directory + "/sheet-cli.jpg"])
        }
        report("spritesheet 5x5 (keyframe every \(keyframeInterval) frames)", ours: ours, cli: cli, target: "≤ 1.0")
    }
}
