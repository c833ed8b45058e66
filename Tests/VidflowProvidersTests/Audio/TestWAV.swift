import Foundation

/// 16-bit PCM mono WAV files made in the test: tones and silences of given lengths.
enum TestWAV {
    /// One part of the audio: a sine of `frequency` Hz, or silence when nil.
    struct Part {
        var seconds: Double
        var frequency: Double?
    }

    static func data(_ parts: [Part], sampleRate: Int = 16_000) -> Data {
        var samples = Data()
        for part in parts {
            let count = Int(part.seconds * Double(sampleRate))
            for index in 0..<count {
                let value = part.frequency.map { sin(2 * Double.pi * $0 * Double(index) / Double(sampleRate)) * 12_000 } ?? 0
                withUnsafeBytes(of: Int16(value).littleEndian) { samples.append(contentsOf: $0) }
            }
        }
        var out = Data("RIFF".utf8)
        func append32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { out.append(contentsOf: $0) } }
        func append16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { out.append(contentsOf: $0) } }
        append32(36 + samples.count)
        out.append(contentsOf: Array("WAVEfmt ".utf8))
        append32(16); append16(1); append16(1); append32(sampleRate); append32(sampleRate * 2); append16(2); append16(16)
        out.append(contentsOf: Array("data".utf8))
        append32(samples.count)
        out.append(samples)
        return out
    }

    static func write(_ parts: [Part], to path: String, sampleRate: Int = 16_000) throws {
        try data(parts, sampleRate: sampleRate).write(to: URL(fileURLWithPath: path))
    }

    /// Seconds of audio in a PCM WAV file's bytes (any chunks before `data`, as FFmpeg writes them),
    /// nil when they are not one or the data is cut short.
    static func duration(of bytes: [UInt8]) -> Double? {
        func int32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard bytes.count >= 12, String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF",
              String(decoding: bytes[8..<12], as: UTF8.self) == "WAVE" else { return nil }
        var offset = 12
        var byteRate = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = int32(offset + 4)
            if id == "fmt ", offset + 20 <= bytes.count { byteRate = int32(offset + 16) }
            if id == "data" {
                guard byteRate > 0, offset + 8 + size == bytes.count else { return nil }
                return Double(size) / Double(byteRate)
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
