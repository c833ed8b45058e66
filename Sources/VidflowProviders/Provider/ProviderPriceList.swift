/// vidflow's list prices (USD), from the providers' published price pages as of late 2025. They are
/// estimates for planning, not invoices: providers change them, regional and contract prices differ, and
/// relays (`yunwu`) or marketplaces (`fal`, `replicate` beyond the models here) set their own. Operators
/// override any entry with `VIDFLOW_PRICES` (see `ProviderPricing.configured`). A model missing here
/// has no estimate. See docs/providers.md, "Prices".
extension ProviderPricing {
    public static let list = ProviderPricing(prices: listPrices)

    private static let listPrices: [String: ModelPrice] = {
        var prices: [String: ModelPrice] = [
            // The embedded renderer costs nothing.
            "local/*": ModelPrice(.video, 0),
            // OpenAI (platform.openai.com/docs/pricing): Sora 2 $0.10/s at 720p; Sora 2 Pro $0.30/s at 720p,
            // $0.50/s at 1792x1024. The dated snapshots cost what their model costs.
            "openai/sora-2*": ModelPrice(.second, 0.10),
            "openai/sora-2-pro*": ModelPrice(.second, 0.30, byResolution: ["1792x1024": 0.50, "1024x1792": 0.50]),
            // Runway API (docs.dev.runwayml.com, 1 credit = $0.01): gen4.5 12 credits/s, gen4_turbo and
            // gen3a_turbo 5 credits/s, veo3.1 40 credits/s, veo3.1_fast 15 credits/s.
            "runway/gen4.5": ModelPrice(.second, 0.12),
            "runway/gen4_turbo": ModelPrice(.second, 0.05),
            "runway/gen3a_turbo": ModelPrice(.second, 0.05),
            "runway/veo3.1": ModelPrice(.second, 0.40),
            "runway/veo3.1_fast": ModelPrice(.second, 0.15),
            // Kling API (klingai.com developer pricing, standard mode; a 10 s video costs twice a 5 s one):
            // v1 $0.14 and v1.6 $0.28 per 5 s, v2.x master $1.40 per 5 s, v2.5 turbo and v2.6 $0.35 per 5 s.
            "kling/kling-v1": ModelPrice(.second, 0.028),
            "kling/kling-v1-6": ModelPrice(.second, 0.056),
            "kling/kling-v2-master": ModelPrice(.second, 0.28),
            "kling/kling-v2-1-master": ModelPrice(.second, 0.28),
            "kling/kling-v2-5-turbo": ModelPrice(.second, 0.07),
            "kling/kling-v2-6": ModelPrice(.second, 0.07),
            // fal (fal.ai model pages): Pika 2.2 $0.20 per 5 s at 720p, $0.45 per 5 s at 1080p.
            "fal/fal-ai/pika/v2.2/*": ModelPrice(.second, 0.04, byResolution: ["1080p": 0.09]),
            // Alibaba Model Studio, international (Singapore): wan2.5/2.6 $0.05/s 480p, $0.10/s 720p, $0.15/s 1080p;
            // wan2.2 plus $0.02/s 480p, $0.10/s 1080p; wan2.1 turbo $0.036/s, plus $0.10/s.
            "dashscope/wan2.6*": ModelPrice(.second, 0.10, byResolution: ["480p": 0.05, "720p": 0.10, "1080p": 0.15]),
            "dashscope/wan2.5*": ModelPrice(.second, 0.10, byResolution: ["480p": 0.05, "720p": 0.10, "1080p": 0.15]),
            "dashscope/wan2.2*": ModelPrice(.second, 0.10, byResolution: ["480p": 0.02, "1080p": 0.10]),
            "dashscope/wan2.1-t2v-turbo": ModelPrice(.second, 0.036),
            "dashscope/wan2.1-i2v-turbo": ModelPrice(.second, 0.036),
            "dashscope/wanx2.1-t2v-turbo": ModelPrice(.second, 0.036),
            "dashscope/wanx2.1-i2v-turbo": ModelPrice(.second, 0.036),
            "dashscope/wan2.1*": ModelPrice(.second, 0.10),
            "dashscope/wanx2.1*": ModelPrice(.second, 0.10),
        ]
        // Gemini API (ai.google.dev/gemini-api/docs/pricing): Veo 3 and 3.1 $0.40/s, their fast variants $0.15/s
        // (always with audio: the Gemini API has no switch), Veo 2 $0.35/s.
        prices["google/veo-3.1-generate*"] = ModelPrice(.second, 0.40)
        prices["google/veo-3.1-fast-generate*"] = ModelPrice(.second, 0.15)
        prices["google/veo-3.0-generate*"] = ModelPrice(.second, 0.40)
        prices["google/veo-3.0-fast-generate*"] = ModelPrice(.second, 0.15)
        prices["google/veo-2.0-generate*"] = ModelPrice(.second, 0.35)
        // Vertex AI (cloud.google.com/vertex-ai/generative-ai/pricing, Veo): Veo 3 and 3.1 $0.40/s with audio,
        // $0.20/s without (`generate_audio: false`); the fast variants $0.15/s and $0.10/s; Veo 3.1 at 4K $0.60/s
        // and $0.40/s, 3.1 fast at 4K $0.35/s and $0.30/s; Veo 2 (no audio) $0.50/s. Veo 3.1 lite: no list price here.
        let uhd = ["4k", "3840x2160", "2160x3840"]
        func at4K(_ rate: Double) -> [String: Double] { Dictionary(uniqueKeysWithValues: uhd.map { ($0, rate) }) }
        prices["vertex/veo-3.1-generate*"] = ModelPrice(.second, 0.40, byResolution: at4K(0.60),
                                                        withoutAudio: .init(0.20, byResolution: at4K(0.40)))
        prices["vertex/veo-3.1-fast-generate*"] = ModelPrice(.second, 0.15, byResolution: at4K(0.35),
                                                             withoutAudio: .init(0.10, byResolution: at4K(0.30)))
        prices["vertex/veo-3.0-generate*"] = ModelPrice(.second, 0.40, withoutAudio: .init(0.20))
        prices["vertex/veo-3.0-fast-generate*"] = ModelPrice(.second, 0.15, withoutAudio: .init(0.10))
        prices["vertex/veo-2.0-generate*"] = ModelPrice(.second, 0.50)
        // BytePlus ModelArk bills tokens (width × height × 24 fps × seconds / 1024): Seedance 1.0 pro
        // $2.50 per million tokens, lite $1.80 — per second of video at each resolution tier.
        for prefix in ["seedance-1-0-pro-2", "doubao-seedance-1-0-pro-2"] {
            prices["seedance/\(prefix)*"] = ModelPrice(.second, 0.0515, byResolution: ["480p": 0.0243, "720p": 0.0515,
                                                                                      "1080p": 0.1224])
        }
        for prefix in ["seedance-1-0-lite", "doubao-seedance-1-0-lite"] {
            prices["seedance/\(prefix)*"] = ModelPrice(.second, 0.0371, byResolution: ["480p": 0.0175, "720p": 0.0371,
                                                                                      "1080p": 0.0881])
        }
        return prices
    }()
}
