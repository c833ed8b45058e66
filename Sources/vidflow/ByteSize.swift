import Foundation

/// A size as typed on the command line: `10GB`, `500MB`, `1.5TB`, `4096` (bytes), in powers of 1024;
/// `none`/`unlimited` for no limit.
///
/// ```swift
/// ByteSize.parse("10GB")   // .some(10_737_418_240)
/// ByteSize.parse("none")   // .some(nil): no limit
/// ```
enum ByteSize {
    static let units: [(suffix: String, scale: Double)] = [
        ("TB", 1_099_511_627_776), ("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024),
        ("T", 1_099_511_627_776), ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024), ("B", 1),
    ]

    /// `.some(bytes)`, `.some(nil)` for unlimited, nil when `text` is not a size.
    static func parse(_ text: String) -> Int?? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "IB", with: "B")
        if ["NONE", "UNLIMITED"].contains(trimmed) { return .some(nil) }
        var number = Substring(trimmed)
        var scale = 1.0
        if let unit = units.first(where: { trimmed.hasSuffix($0.suffix) }) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.scale
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite,
              value * scale < Double(Int.max / 2) else { return nil }
        return .some(Int(value * scale))
    }
}
