import ArgumentParser
import Foundation
import VidflowCore
import VidflowProviders

/// `vidflow providers [NAME]`: the video providers, their models and capabilities, and whether keys are set.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List video providers, their models and what each model accepts (keys from the environment).",
        discussion: "Keys: OPENAI_API_KEY, GEMINI_API_KEY, RUNWAY_API_KEY, KLING_ACCESS_KEY + KLING_SECRET_KEY, ARK_API_KEY, "
            + "FAL_KEY, REPLICATE_API_TOKEN, DASHSCOPE_API_KEY, YUNWU_API_KEY (comma-separated lists rotate). "
            + "Base URLs: VIDFLOW_<NAME>_BASE_URL. Also read from .env and vidflow.toml (`vidflow config show`).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Show one provider in full.")
    var name: String?

    func run() async throws {
        let settings: VidflowSettings
        do {
            settings = try global.settings()
        } catch let failure as CLIFailure {
            throw failure.report()
        }
        let registry = ProviderCatalog.registry(dataDirectory: global.dataDirectory, settings: settings)
        let names = name.map { [$0] } ?? registry.names
        var described: [JSONValue] = []
        for name in names {
            guard let provider = registry.provider(name) else {
                throw CLIFailure.badInput("unknown provider '\(name)' (known: \(registry.names.joined(separator: ", ")))").report()
            }
            described.append(ProviderDescription.json(provider, settings: registry.settings[name], pricing: registry.pricing))
        }
        if let problem = registry.pricing.overrideProblem { Console.error("warning: \(problem); using the list prices") }
        if global.json {
            Console.write(try RunJSON.text(name == nil ? ["providers": .array(described)] : described[0]))
        } else if name == nil {
            for name in names {
                if let provider = registry.provider(name) {
                    Console.line(ProviderDescription.line(provider, settings: registry.settings[name]))
                    for line in ProviderDescription.modelLines(provider, pricing: registry.pricing) { Console.line(line) }
                }
            }
        } else {
            Console.write(try RunJSON.text(described[0]))
        }
    }
}
