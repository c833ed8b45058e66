import Hummingbird
import VidflowCore

/// `GET /v1/providers`: every video provider as `ProviderDescription.json` describes it (models, capabilities,
/// whether keys are configured — never the keys).
struct ProviderList: ResponseEncodable, Sendable {
    var providers: [JSONValue]
}
