import VidflowCore

/// A provider, its models and what each accepts, as JSON: what `vidflow providers` prints and
/// `GET /v1/providers` returns. Keys are never included, only whether any are configured.
public enum ProviderDescription {
    public static func json(_ provider: any VideoProvider, settings: ProviderSettings?) -> JSONValue {
        let features = provider.features
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
            return .object(object)
        }
        var object: [String: JSONValue] = [
            "name": .string(provider.name),
            "configured": .bool(provider.name == "local" || !(settings?.apiKeys.isEmpty ?? true)),
            "default_model": provider.capabilities.models.first.map(JSONValue.string) ?? .null,
            "any_model": .bool(provider.capabilities.anyModel),
            "cancel": .bool(features.cancel), "callbacks": .bool(features.callbacks),
            "reconcile": .bool(features.reconcile), "authenticated_download": .bool(features.authenticatedDownload),
            "models": .array(models),
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
        let configured = provider.name == "local" || !(settings?.apiKeys.isEmpty ?? true)
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
}
