/// Normalises a subtitle track language to the ISO 639-2 code containers store: `zho` and `eng` pass
/// through, ISO 639-1 codes (`zh`, `en`) and tags with a region (`zh-CN`, `en_US`) are mapped.
enum SubtitleLanguage {
    /// ISO 639-1 → ISO 639-2/T for the languages subtitles are most often made in.
    private static let twoLetter: [String: String] = [
        "ar": "ara", "bg": "bul", "bn": "ben", "ca": "cat", "cs": "ces", "da": "dan", "de": "deu", "el": "ell",
        "en": "eng", "es": "spa", "et": "est", "fa": "fas", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin",
        "hr": "hrv", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "ko": "kor", "lt": "lit", "lv": "lav",
        "ms": "msa", "nl": "nld", "no": "nor", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk",
        "sl": "slv", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam", "th": "tha", "tl": "tgl", "tr": "tur",
        "uk": "ukr", "ur": "urd", "vi": "vie", "yue": "yue", "zh": "zho",
    ]

    /// The ISO 639-2 code for `text`, or nil when it is not a language code this knows.
    static func iso639_2(_ text: String) -> String? {
        let base = text.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        guard base.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        if let mapped = twoLetter[base] { return mapped }
        return base.count == 3 ? base : nil
    }
}
