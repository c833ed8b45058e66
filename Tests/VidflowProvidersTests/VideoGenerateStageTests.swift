import Foundation
import VidflowCore
import VidflowProviders
import XCTest

final class VideoGenerateStageTests: XCTestCase {
    func testGenerateRunsInTheProvidersPool() {
        let stage = VideoGenerateStage(providers: ProviderRegistry())
        XCTAssertEqual(stage.pool(for: ["provider": "runway"]), "provider:runway")
        XCTAssertEqual(stage.pool(for: [:]), "provider:local")
        XCTAssertEqual(stage.pool(for: ["provider": ["kling/kling-v2-6", "local"]]), "provider:kling")
    }

    func testFailoverEntriesMayNameAModel() {
        let choices = VideoGenerateStage.choices(["runway/gen4_turbo", "fal/fal-ai/pika/v2.2/text-to-video", "local"])
        XCTAssertEqual(choices.map { $0.provider }, ["runway", "fal", "local"])
        XCTAssertEqual(choices.map { $0.model }, ["gen4_turbo", "fal-ai/pika/v2.2/text-to-video", nil])
    }

    func testExtraBodySectionsNamedAfterAProviderApplyOnlyToIt() {
        let body: [String: JSONValue] = ["watermark": false, "kling": ["cfg_scale": 0.5, "watermark": true],
                                         "runway": ["contentModeration": ["publicFigureThreshold": "low"]]]
        let providers: Set<String> = ["kling", "runway", "local"]
        XCTAssertEqual(VideoGenerateStage.extraBody(body, for: "kling", providers: providers),
                       ["watermark": true, "cfg_scale": 0.5])
        XCTAssertEqual(VideoGenerateStage.extraBody(body, for: "runway", providers: providers),
                       ["watermark": false, "contentModeration": ["publicFigureThreshold": "low"]])
        XCTAssertEqual(VideoGenerateStage.extraBody(["kling": ["a": 1]], for: "local", providers: providers), nil)
    }

    func testByDefaultAFieldTheModelCannotHonourIsRejectedBeforeAnySubmit() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let local = LocalProvider(directory: media.directory + "/local", pollAfterMs: 20)
        let stage = VideoGenerateStage(providers: ProviderRegistry([local]))
        let context = try DirectContext(stageID: "generate", parameters: [
            "provider": "local", "prompt": "waves", "seconds": 0.5, "negative_prompt": "blur",
        ], directory: media.directory + "/data")
        let failure = await stageFailure(of: stage, context)
        XCTAssertEqual(failure?.kind, .invalidInput)
        XCTAssertTrue(failure?.message.contains("negative_prompt") == true, "\(String(describing: failure))")
        XCTAssertEqual(try local.jobIDs().count, 0)
    }

    func testUnsupportedFieldsAreDroppedWithALoggedWarningAndTheJobIsSubmittedOnce() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let local = LocalProvider(directory: media.directory + "/local", pollAfterMs: 20)
        let stage = VideoGenerateStage(providers: ProviderRegistry([local]))
        let context = try DirectContext(stageID: "generate", parameters: [
            "provider": "local", "prompt": "waves", "seconds": 0.5, "size": "160x90", "seed": 1,
            "negative_prompt": "blur", "generate_audio": true, "on_unsupported": "nearest",
        ], directory: media.directory + "/data")
        let result = try await stage.run(context)
        XCTAssertEqual(result.outputs["provider"], "local")
        XCTAssertEqual(result.outputs["model"], "local-v1")
        XCTAssertEqual(result.outputs["stage_id"], "generate")
        XCTAssertTrue(context.logs.contains { $0.contains("warning") && $0.contains("negative_prompt") }, "\(context.logs)")
        XCTAssertTrue(context.logs.contains { $0.contains("warning") && $0.contains("generate_audio") }, "\(context.logs)")

        let again = try await stage.run(context)
        XCTAssertEqual(again.outputs["job_id"], result.outputs["job_id"], "reconciled by idempotency key")
        XCTAssertEqual(try local.jobIDs().count, 1)
        _ = try await waitForJob(local, try XCTUnwrap(result.outputs["job_id"]?.stringValue))
    }

    func testAnUnknownProviderOrModelIsInvalidInput() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let stage = VideoGenerateStage(providers: ProviderRegistry([LocalProvider(directory: media.directory + "/local")]))
        for parameters: [String: JSONValue] in [["provider": "nowhere", "prompt": "x"], ["model": "sora-2", "prompt": "x"], [:]] {
            let context = try DirectContext(parameters: parameters, directory: media.directory + "/data")
            let failure = await stageFailure(of: stage, context)
            XCTAssertEqual(failure?.kind, .invalidInput, "\(parameters)")
        }
    }
}
