import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowTestSupport
import XCTest

final class WorkflowTests: XCTestCase {
    private func workflowText(_ name: String) throws -> String {
        try String(contentsOfFile: packageRoot + "/workflows/\(name).yaml", encoding: .utf8)
    }

    func testEveryShippedWorkflowValidatesAgainstTheBuiltinRegistry() throws {
        let registry = BuiltinStages.registry(dataDirectory: NSTemporaryDirectory() + "vidflow-validate")
        for name in ["image-to-video", "text-to-video", "transcode-only", "subtitles"] {
            let file = packageRoot + "/workflows/\(name).yaml"
            XCTAssertNoThrow(try DefinitionValidator(registry: registry).load(try workflowText(name), file: file), name)
        }
        XCTAssertEqual(Set(registry.typeNames), ["noop", "image.upload", "video.generate", "video.poll", "video.download",
                                                 "ffmpeg.transcode", "ffmpeg.thumbnail", "ffmpeg.spritesheet", "ffmpeg.probe",
                                                 "ffmpeg.extract_audio", "ffmpeg.mux_subtitles",
                                                 "audio.transcribe", "faster_whisper.transcribe_audio", "audio.diarize",
                                                 "pyannote_audio.diarize_speakers", "subtitles.generate",
                                                 "wservice.generate_subtitle_files"])
    }

    func testTheSampleImageIsASmallRealJPEG() throws {
        try requireFFmpeg()
        let path = packageRoot + "/share/samples/sample.jpg"
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        XCTAssertLessThanOrEqual(size, 200_000)
        XCTAssertEqual(try ProbeReport(path: path).video?["codec_name"] as? String, "mjpeg")
    }

    func testImageToVideoRunsEndToEndAndIncrementalRerunsOnlyWhatChanged() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let text = try workflowText("image-to-video")
        let inputs: [String: JSONValue] = ["image": .string(try media.jpeg()), "seconds": 1, "resolution": "180p", "seed": 5]
        let run = try await world.run(try world.definition(text), inputs: inputs)
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(try world.local.jobIDs().count, 1, "one paid submit")

        let transcoded = try XCTUnwrap(stages["transcode"]?.output?["file"]?.stringValue)
        let report = try ProbeReport(path: transcoded)
        XCTAssertEqual(report.video?["codec_name"] as? String, "h264")
        XCTAssertEqual(report.video?["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(report.width, 320)
        XCTAssertEqual(report.height, 180)
        XCTAssertEqual(report.duration, 1, accuracy: 0.2)
        let boxes = try topLevelBoxes(transcoded)
        XCTAssertLessThan(try XCTUnwrap(boxes.firstIndex(of: "moov")), try XCTUnwrap(boxes.firstIndex(of: "mdat")), "faststart")
        XCTAssertEqual(stages["transcode"]?.output?["fps"], 30)

        let thumbnail = try XCTUnwrap(stages["thumbnail"]?.output?["file"]?.stringValue)
        let jpeg = try ProbeReport(path: thumbnail)
        XCTAssertEqual(jpeg.video?["codec_name"] as? String, "mjpeg")
        XCTAssertEqual(jpeg.width, 1280)
        XCTAssertEqual(jpeg.height, 720)
        XCTAssertEqual(stages["download"]?.output?["width"], 320)
        XCTAssertEqual(stages["upload"]?.output?["mime"], "image/jpeg")

        let edited = try world.definition(text.replacingOccurrences(of: "quality: ${{ inputs.quality }}", with: "quality: high"))
        let rerun = try await world.run(edited, inputs: inputs, mode: .incremental, base: run.id)
        XCTAssertEqual(rerun.status, .completed, "\(String(describing: rerun.error))")
        let executed = try await world.executed(rerun.id)
        XCTAssertEqual(executed, ["transcode", "thumbnail"])
        XCTAssertEqual(try world.local.jobIDs().count, 1, "the generation is reused, not paid again")

        let unchanged = try await world.run(edited, inputs: inputs, mode: .incremental, base: rerun.id)
        XCTAssertEqual(unchanged.status, .completed)
        let executedAgain = try await world.executed(unchanged.id)
        XCTAssertEqual(executedAgain, [])
        XCTAssertEqual(try world.local.jobIDs().count, 1)
    }

    func testTranscodeOnlyProbesTranscodesAndThumbnailsAnExistingVideo() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let definition = try world.definition(try workflowText("transcode-only"))
        let run = try await world.run(definition, inputs: ["video": .string(try media.clip()), "width": 160, "fps": 15])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["probe"]?.output?["video_codec"], "h264")
        XCTAssertEqual(stages["probe"]?.output?["audio_codec"], "aac")
        XCTAssertEqual(stages["probe"]?.output?["width"], 320)
        XCTAssertEqual(stages["transcode"]?.output?["has_audio"], true)
        let report = try ProbeReport(path: try XCTUnwrap(stages["transcode"]?.output?["file"]?.stringValue))
        XCTAssertEqual(report.width, 160)
        XCTAssertEqual(report.height, 90)
    }

    func testTextToVideoRendersFromThePromptAlone() async throws {
        try requireFFmpeg()
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let definition = try world.definition(try workflowText("text-to-video"))
        let run = try await world.run(definition, inputs: ["seconds": 1, "resolution": "180p", "quality": "low"])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["generate"]?.output?["provider"], "local")
        XCTAssertEqual(stages["download"]?.output?["height"], 180)
    }
}
