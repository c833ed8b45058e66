import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

// Scaffolding shared by the remote provider adapter tests: the generate → poll → download → transcode
// workflow, running it against one provider, and the assertions every adapter repeats.

/// How the poll and download stages of `providerWorkflow` find the job.
enum PollWiring {
    /// The poll finds the job from the generate stage; the download names the generate stage's job and provider.
    case fromGenerate
    /// The poll names the generate stage's job and `restart_from: generate`; the download restarts from generate
    /// too and, when `downloadNamesJob`, names the poll's job and provider (for an authenticated download).
    case restartable(downloadNamesJob: Bool)
}

/// The standard adapter test workflow: generate → poll → download → transcode.
///
/// `generate` holds the generate stage's `with:` lines after `provider:` (`"key: value"`, unindented); `image`
/// adds an `image:` line after them; `inputs` holds the workflow's `inputs:` lines (unindented).
func providerWorkflow(_ name: String, provider: String, generate: [String], image: String? = nil, inputs: [String] = [],
                      maxWait: Double = 30, attempts: Int = 3,
                      retryIntervals: (initial: String, max: String) = ("100ms", "200ms"),
                      wiring: PollWiring = .fromGenerate) -> String {
    var lines = ["name: \(name)"]
    if !inputs.isEmpty { lines += ["inputs:"] + inputs.map { "  " + $0 } }
    lines += [
        "defaults:",
        "  retry: { max_attempts: \(attempts), initial_interval: \(retryIntervals.initial), "
            + "max_interval: \(retryIntervals.max) }",
        "stages:",
        "  - id: generate",
        "    uses: video.generate",
        "    with:",
        "      provider: \(provider)",
    ]
    lines += (generate + (image.map { ["image: \($0)"] } ?? [])).map { "      " + $0 }
    switch wiring {
    case .fromGenerate:
        lines += [
            "  - id: poll",
            "    uses: video.poll",
            "    with: { interval: 0.05, max_interval: 0.2, max_wait: \(maxWait) }",
            "  - id: download",
            "    uses: video.download",
            "    with:",
            "      url: ${{ stages.poll.outputs.url }}",
            "      job_id: ${{ stages.generate.outputs.job_id }}",
            "      provider: ${{ stages.generate.outputs.provider }}",
        ]
    case .restartable(let downloadNamesJob):
        lines += [
            "  - id: poll",
            "    uses: video.poll",
            "    with:",
            "      job_id: ${{ stages.generate.outputs.job_id }}",
            "      provider: ${{ stages.generate.outputs.provider }}",
            "      restart_from: generate",
            "      max_wait: \(maxWait)",
            "      interval: 0.05",
            "      max_interval: 0.2",
            "  - id: download",
            "    uses: video.download",
            "    with:",
            "      url: ${{ stages.poll.outputs.url }}",
        ]
        if downloadNamesJob {
            lines += ["      job_id: ${{ stages.poll.outputs.job_id }}", "      provider: ${{ stages.poll.outputs.provider }}"]
        }
        lines += ["      restart_from: generate"]
    }
    lines += [
        "  - id: transcode",
        "    uses: ffmpeg.transcode",
        "    with: { input: \"${{ stages.download.outputs.file }}\", quality: low }",
    ]
    return lines.joined(separator: "\n")
}

/// Skips the test (by throwing) where the ffmpeg CLI is missing.
func requireFFmpegOrSkip() throws { _ = try TestMedia() }

extension TestMedia {
    /// The bytes of a fresh `clip()`, for a fake server to serve.
    func clipData(_ name: String = "clip.mp4") throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: try clip(name)))
    }
}

/// Runs `yaml` in a fresh `ProvidersWorld` with `provider` registered; returns the run and its stages.
func runWorkflow(_ yaml: String, with provider: any VideoProvider, inputs: [String: JSONValue] = [:]) async throws
    -> (run: RunRecord, stages: [String: StageRecord]) {
    let world = try ProvidersWorld(extraProviders: [provider])
    defer { world.cleanUp() }
    let run = try await world.run(try world.definition(yaml), inputs: inputs)
    return (run, try await world.stages(run.id))
}

/// Runs `yaml` (whose job never finishes) and asserts the run failed because the poll waited past `max_wait`.
@discardableResult
func assertPollTimesOutAtMaxWait(_ yaml: String, with provider: any VideoProvider, inputs: [String: JSONValue] = [:],
                                 file: StaticString = #filePath, line: UInt = #line) async throws -> [String: StageRecord] {
    let (run, stages) = try await runWorkflow(yaml, with: provider, inputs: inputs)
    XCTAssertEqual(run.status, .failed, file: file, line: line)
    XCTAssertEqual(stages["poll"]?.error?.kind, .timeout, file: file, line: line)
    let poll = stages["poll"]?.error
    XCTAssertTrue(poll?.message.contains("max_wait") == true, "\(String(describing: poll))", file: file, line: line)
    return stages
}

/// Runs `yaml` (whose job fails remotely) and asserts the run failed at the poll with `kind`, a message
/// containing `text`, and a restart from the generate stage that created the job.
@discardableResult
func assertPollFails(_ yaml: String, with provider: any VideoProvider, inputs: [String: JSONValue] = [:], kind: ErrorKind,
                     contains text: String, file: StaticString = #filePath, line: UInt = #line) async throws
    -> [String: StageRecord] {
    let (run, stages) = try await runWorkflow(yaml, with: provider, inputs: inputs)
    XCTAssertEqual(run.status, .failed, file: file, line: line)
    let poll = stages["poll"]?.error
    XCTAssertEqual(poll?.kind, kind, file: file, line: line)
    XCTAssertTrue(poll?.message.contains(text) == true, "\(String(describing: poll))", file: file, line: line)
    XCTAssertEqual(poll?.restartFrom, "generate", file: file, line: line)
    return stages
}

/// Runs `body`, which must throw a `ProviderError` (of `kind`, with a message containing `text`, when given);
/// returns the error for further checks. Failing to throw, or throwing anything else, fails the test.
@discardableResult
func expectProviderError<T>(_ kind: ErrorKind? = nil, contains text: String? = nil,
                            _ failure: String = "expected an error", file: StaticString = #filePath, line: UInt = #line,
                            _ body: () async throws -> T) async -> ProviderError? {
    do {
        _ = try await body()
        XCTFail(failure, file: file, line: line)
    } catch let error as ProviderError {
        if let kind { XCTAssertEqual(error.kind, kind, file: file, line: line) }
        if let text { XCTAssertTrue(error.message.contains(text), error.message, file: file, line: line) }
        return error
    } catch {
        XCTFail("expected a ProviderError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Runs `yaml` and asserts the run failed at the generate stage (with `kind` and a message containing `text`,
/// when given); `message` explains the failure, e.g. why a lost submit cannot be reconciled.
@discardableResult
func assertGenerateFails(_ yaml: String, with provider: any VideoProvider, inputs: [String: JSONValue] = [:],
                         kind: ErrorKind? = nil, contains text: String? = nil, _ message: String = "",
                         file: StaticString = #filePath, line: UInt = #line) async throws -> [String: StageRecord] {
    let (run, stages) = try await runWorkflow(yaml, with: provider, inputs: inputs)
    XCTAssertEqual(run.status, .failed, message, file: file, line: line)
    let generate = stages["generate"]?.error
    if let kind { XCTAssertEqual(generate?.kind, kind, message, file: file, line: line) }
    if let text {
        XCTAssertTrue(generate?.message.contains(text) == true, "\(String(describing: generate))", file: file, line: line)
    }
    return stages
}
