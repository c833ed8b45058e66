import Foundation
import VidflowCore

/// The display for terminals: one line per stage (status, elapsed time, progress bar), redrawn in place
/// with ANSI cursor moves; log messages scroll above the block.
struct LiveView: RunDisplay {
    /// The terminal written to (stdout, or stderr under `--json`).
    let descriptor: Int32
    private var drawnLines = 0
    private var tick = 0
    private let stageWidth: Int

    private static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    private static let barWidth = 20

    init(descriptor: Int32, stageIDs: [String]) {
        self.descriptor = descriptor
        stageWidth = EventFormatter.stageWidth(stageIDs)
    }

    var needsStages: Bool { true }

    mutating func update(events: [EventRecord], stages: [StageRecord], now: Date) {
        tick += 1
        let logs = events.filter { $0.kind == .log }.map { event in
            "  " + (event.stageID ?? "run") + ": " + (event.data["message"]?.stringValue ?? event.data.interpolated)
        }
        redraw(logs: logs, stages: stages, now: now)
    }

    mutating func finish(stages: [StageRecord], now: Date) {
        redraw(logs: [], stages: stages, now: now)
        write("\u{1B}[?25h")
    }

    private mutating func redraw(logs: [String], stages: [StageRecord], now: Date) {
        let width = max(20, (Console.columns(of: descriptor) ?? 100) - 1)
        var text = drawnLines == 0 ? "\u{1B}[?25l" : "\u{1B}[\(drawnLines)A"
        for line in logs { text += "\u{1B}[2K" + TextFormat.truncate(line, width) + "\n" }
        let ordered = stages.sorted { $0.position < $1.position }
        for stage in ordered { text += "\u{1B}[2K" + self.line(stage, width: width, now: now) + "\n" }
        drawnLines = ordered.count
        write(text)
    }

    private func line(_ stage: StageRecord, width: Int, now: Date) -> String {
        let elapsed = stage.startedAt.map { TextFormat.duration((stage.endedAt ?? now).timeIntervalSince($0)) } ?? ""
        let percent = stage.status == .completed ? 100 : stage.progress
        let filled = Self.barWidth * min(100, max(0, percent)) / 100
        let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: Self.barWidth - filled) + "]"
        let plain = symbol(stage.status) + " " + TextFormat.pad(stage.stageID, stageWidth) + "  "
            + TextFormat.pad(stage.status.rawValue, 9) + "  " + TextFormat.pad(elapsed, 7) + "  " + bar + " "
            + TextFormat.pad("\(percent)%", 4)
        let note = self.note(stage, now: now)
        let room = width - plain.count - 2
        let line = note.isEmpty || room < 8 ? plain : plain + "  " + TextFormat.truncate(note, room)
        return color(stage.status) + TextFormat.truncate(line, width) + "\u{1B}[0m"
    }

    private func note(_ stage: StageRecord, now: Date) -> String {
        if let reused = stage.reusedFrom { return "reused from \(reused.runID)" }
        if stage.status == .queued, let next = stage.nextAttemptAt, next > now {
            let wait = TextFormat.duration(next.timeIntervalSince(now))
            return "retry in \(wait) (at \(TextFormat.clock(next)))" + (stage.error.map { ": " + $0.message } ?? "")
        }
        if stage.attempts > 1, stage.status == .running { return "attempt \(stage.attempts)" }
        if [.failed, .skipped, .cancelled].contains(stage.status), let error = stage.error { return error.message }
        return ""
    }

    private func symbol(_ status: StageStatus) -> String {
        switch status {
        case .pending: "·"
        case .queued: "…"
        case .running: Self.spinner[tick % Self.spinner.count]
        case .completed: "✓"
        case .failed: "✗"
        case .skipped: "-"
        case .cancelled: "⊘"
        }
    }

    private func color(_ status: StageStatus) -> String {
        switch status {
        case .completed: "\u{1B}[32m"
        case .failed: "\u{1B}[31m"
        case .running: "\u{1B}[33m"
        case .skipped, .cancelled, .pending, .queued: "\u{1B}[2m"
        }
    }

    private func write(_ text: String) {
        FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(Data(text.utf8))
    }
}
