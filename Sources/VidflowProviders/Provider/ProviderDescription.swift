import VidflowCore

/// A provider, its models and what each accepts, as JSON: what `vidflow providers` prints and
/// `GET /v1/providers` returns. Keys are never included, only whether any are configured.
public enum ProviderDescription {
    /// Every model with its limits (`seconds`, `sizes`, `aspect_ratios`, `resolutions`, `image`:
    /// required/optional/none, `max_outputs` per job and `max_videos` per request — more than one job per
    /// request where `fan_out`), its list `price` (nil when unknown) and the `aliases` that resolve to it;
    /// `aliases` at the provider level maps each alias to the model it resolves to.
    public static func json(_ provider: any VideoProvider, settings: ProviderSettings?,
                            pricing: ProviderPricing = .list) -> JSONValue {
        let features = provider.features
        let aliases = provider.capabilities.modelAliases
        let models: [JSONValue] = provider.capabilities.models.map { model in
            let caps = provider.capabilities(for: model)
            var object: [String: JSONValue] = [
                "id": .string(model),
                "seconds": caps.allowedSeconds.map { .array($0.map(JSONValue.double)) }
                    ?? ["min": .double(caps.secondsRange.lowerBound), "max": .double(caps.secondsRange.upperBound)],
                "default_seconds": .double(caps.defaultSeconds),
                "sizes": caps.arbitrarySizes ? "any" : .array(caps.sizes.map(JSONValue.string)),
                "aspect_ratios": .array(caps.aspectRatios.map(JSONValue.string)),
                "resolutions": .array(caps.resolutions.map(JSONValue.string)),
                "text_to_video": .bool(caps.textToVideo), "image_to_video": .bool(caps.imageInput),
                "last_frame": .bool(caps.lastFrame), "audio": .bool(caps.audio),
                "negative_prompt": .bool(caps.negativePrompt), "seed": .bool(caps.seed),
            ]
            object["max_prompt_length"] = caps.maxPromptLength.map(JSONValue.int)
            object["image"] = .string(imageRule(caps))
            object["max_outputs"] = .int(caps.maxOutputs)
            object["max_videos"] = .int(caps.outputLimit)
            object["fan_out"] = .bool(caps.maxOutputs == 1)
            object["price"] = pricing.price(provider: provider.name, model: model)?.json ?? .null
            object["aliases"] = .array(aliases.filter { $0.value == model }.keys.sorted().map(JSONValue.string))
            return .object(object)
        }
        var object: [String: JSONValue] = [
            "name": .string(provider.name),
            "configured": .bool(provider.name == "local" || settings?.hasCredentials == true),
            "default_model": provider.capabilities.models.first.map(JSONValue.string) ?? .null,
            "any_model": .bool(provider.capabilities.anyModel),
            "cancel": .bool(features.cancel), "callbacks": .bool(features.callbacks),
            "reconcile": .bool(features.reconcile), "authenticated_download": .bool(features.authenticatedDownload),
            "models": .array(models),
            "aliases": .object(aliases.mapValues(JSONValue.string)),
            "retired_models": .object(provider.capabilities.retiredModels.mapValues { .array($0.map(JSONValue.string)) }),
        ]
        if let settings {
            object["keys"] = .int(settings.apiKeys.count)
            object["base_url"] = settings.baseURL.map(JSONValue.string) ?? .null
            object["callback_url_set"] = .bool(settings.callbackURL != nil)
        }
        return .object(object)
    }

    /// One line for a terminal: `runway  configured  4 models  cancel callbacks`.
    public static func line(_ provider: any VideoProvider, settings: ProviderSettings?) -> String {
        let configured = provider.name == "local" || settings?.hasCredentials == true
        var traits: [String] = []
        let features = provider.features
        if provider.capabilities.imageInput { traits.append("image-to-video") }
        if features.cancel { traits.append("cancel") }
        if features.callbacks { traits.append("callbacks") }
        if features.reconcile { traits.append("reconcile") }
        let models = provider.capabilities.models
        let shown = models.prefix(4).joined(separator: ", ") + (models.count > 4 ? ", …" : "")
        return provider.name.padding(toLength: 10, withPad: " ", startingAt: 0)
            + (configured ? "ready        " : "no key       ")
            + shown + (traits.isEmpty ? "" : "  [" + traits.joined(separator: " ") + "]")
    }

    /// `required` (image-to-video only), `optional` or `none`.
    static func imageRule(_ caps: ProviderCapabilities) -> String {
        caps.imageInput ? (caps.textToVideo ? "optional" : "required") : "none"
    }

    /// The lines under a provider in `vidflow providers`: one per model with its limits and price, then
    /// the aliases and what each resolves to.
    public static func modelLines(_ provider: any VideoProvider, pricing: ProviderPricing = .list) -> [String] {
        let width = min(34, (provider.capabilities.models.map(\.count).max() ?? 10) + 2)
        var lines = provider.capabilities.models.map { model -> String in
            let caps = provider.capabilities(for: model)
            let range = "\(VideoRequest.format(caps.secondsRange.lowerBound))–\(VideoRequest.format(caps.secondsRange.upperBound)) s"
            let seconds = caps.allowedSeconds.map { allowed in
                // A run of whole seconds (2, 3, … 10) reads as its range.
                let consecutive = allowed.count > 3 && zip(allowed, allowed.dropFirst()).allSatisfy { $1 - $0 == 1 }
                return consecutive ? range : allowed.map(VideoRequest.format).joined(separator: "/") + " s"
            } ?? range
            var parts = [seconds]
            if !caps.aspectRatios.isEmpty { parts.append(caps.aspectRatios.joined(separator: " ")) }
            if !caps.resolutions.isEmpty { parts.append(caps.resolutions.joined(separator: " ")) }
            if caps.arbitrarySizes { parts.append("any size") }
            let rule = imageRule(caps)
            parts.append(rule == "none" ? "text only" : "image " + rule)
            parts.append(caps.maxOutputs > 1 ? "≤\(caps.maxOutputs) videos/job" : "1 video/job (≤\(caps.outputLimit) jobs)")
            parts.append(pricing.price(provider: provider.name, model: model).map(priceText) ?? "price unknown")
            return "  " + model.padding(toLength: max(width, model.count + 1), withPad: " ", startingAt: 0)
                + parts.joined(separator: "  ")
        }
        let aliases = provider.capabilities.modelAliases.sorted { $0.key < $1.key }
        if !aliases.isEmpty {
            lines.append("  aliases: " + aliases.map { "\($0.key) → \($0.value)" }.joined(separator: ", "))
        }
        return lines
    }

    /// `0.05 USD/s`, `0.35 USD/video`, with resolution rates after it.
    static func priceText(_ price: ModelPrice) -> String {
        let unit = price.unit == .second ? "/s" : "/video"
        var text = "\(ProviderPricing.money(price.amount)) \(price.currency)\(unit)"
        if !price.byResolution.isEmpty {
            text += " (" + price.byResolution.sorted { $0.key < $1.key }
                .map { "\($0.key) \(ProviderPricing.money($0.value))" }.joined(separator: ", ") + ")"
        }
        if let silent = price.withoutAudio {
            text += "; without audio \(ProviderPricing.money(silent.amount)) \(price.currency)\(unit)"
        }
        return text
    }
}
