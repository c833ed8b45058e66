import VidflowProviders
import XCTest

/// The settings hierarchy under `ProviderSettings` and `AudioServiceSettings`.
final class VidflowSettingsTests: XCTestCase {
    func testEachLayerWinsOverTheOnesBelowAndTheDefaultComesLast() {
        let file = SettingsLayer.values(["providers.openai.api_key": "sk-file-0000aaaa", "providers.openai.concurrency": "1",
                                         "providers.openai.base_url": "http://file.example/v1"], source: .file("vidflow.toml"))
        let environment = SettingsLayer.environment(["VIDFLOW_OPENAI_API_KEY": "sk-env-0000bbbb", "VIDFLOW_OPENAI_CONCURRENCY": "2"],
                                                    source: .environment)
        let flags = SettingsLayer.values(["providers.openai.concurrency": "3"], source: .flag)
        let settings = VidflowSettings(layers: [flags] + environment + [file])

        let openai = ProviderSettings.resolve(provider: "openai", settings: settings)
        XCTAssertEqual(openai.apiKeys, ["sk-env-0000bbbb"])
        XCTAssertEqual(openai.maxConcurrency, 3)
        XCTAssertEqual(openai.baseURL, "http://file.example/v1")
        XCTAssertEqual(openai.requestTimeout, 60)
        XCTAssertEqual(settings.lookup("providers.openai.api_key")?.source, .environment)
        XCTAssertEqual(settings.lookup("providers.openai.api_key")?.variable, "VIDFLOW_OPENAI_API_KEY")
        XCTAssertEqual(settings.lookup("providers.openai.concurrency")?.source, .flag)
        XCTAssertEqual(settings.lookup("providers.openai.base_url")?.source, .file("vidflow.toml"))
        XCTAssertEqual(settings.lookup("providers.openai.timeout")?.source, .defaultValue)
        XCTAssertNil(settings.lookup("providers.openai.nonsense"))

        let stored = settings.adding(stored: ["openai": ["api_key": "sk-api-0000cccc", "max_concurrency": "4"]])
        let fromAPI = ProviderSettings.resolve(provider: "openai", settings: stored)
        XCTAssertEqual(fromAPI.apiKeys, ["sk-api-0000cccc"], "/v1/config's keys win over flags, environment and files")
        XCTAssertEqual(fromAPI.maxConcurrency, 4)
        XCTAssertEqual(stored.lookup("providers.openai.api_key")?.source, .api)
    }

    func testTheVendorVariableComesBeforeVidflowsOwnAndEmptyVariablesAreUnset() {
        let settings = VidflowSettings.environment(["OPENAI_API_KEY": "sk-vendor-0000dddd", "VIDFLOW_OPENAI_API_KEY": "sk-own-0000eeee",
                                                    "VIDFLOW_OPENAI_BASE_URL": "", "OPENAI_BASE_URL": "http://relay.example/v1"])
        XCTAssertEqual(ProviderSettings.resolve(provider: "openai", settings: settings).apiKeys, ["sk-vendor-0000dddd"])
        XCTAssertEqual(ProviderSettings.resolve(provider: "openai", settings: settings).baseURL, "http://relay.example/v1")
        XCTAssertEqual(settings.lookup("providers.openai.base_url")?.variable, "OPENAI_BASE_URL")
    }

    func testAValueOfTheWrongTypeIsSkippedAndReportedAsInvalid() {
        let settings = VidflowSettings.environment(["VIDFLOW_PORT": "eighty", "VIDFLOW_RUNWAY_RPM": "many"])
        XCTAssertEqual(settings.lookup("server.port")?.invalid, true)
        XCTAssertNil(ProviderSettings.resolve(provider: "runway", settings: settings).requestsPerMinute)
        XCTAssertEqual(VidflowSettings.environment([:]).lookup("server.port")?.invalid, false)
    }

    func testSpeechServicesReadTheirOwnKeysThenFallBack() {
        let file = SettingsLayer.values(["audio.transcription.model": "whisper-large", "audio.transcription.max_upload_mb": "10",
                                         "providers.openai.api_key": "sk-openai-0000ffff"], source: .file("vidflow.toml"))
        let settings = VidflowSettings(layers: [file])
        let transcription = AudioServiceSettings.resolve("transcription", settings: settings)
        XCTAssertEqual(transcription.model, "whisper-large")
        XCTAssertEqual(transcription.maxUploadBytes, 10_000_000)
        XCTAssertEqual(transcription.provider.apiKeys, ["sk-openai-0000ffff"], "OpenAI's key is the last fallback")
        XCTAssertEqual(transcription.provider.requestTimeout, 300)
        let pyannote = AudioServiceSettings.resolve("pyannote", settings: .environment(["PYANNOTE_API_KEY": "pa-0000gggg"]))
        XCTAssertEqual(pyannote.provider.apiKeys, ["pa-0000gggg"])
        XCTAssertEqual(pyannote.baseURL, AudioServiceSettings.pyannoteBaseURL)
    }

    func testTheCatalogKnowsEveryProvidersVariablesAndMarksKeysSecret() throws {
        let keys = Set(SettingsCatalog.all().map(\.key))
        for name in ProviderCatalog.remote.map(\.name) {
            XCTAssertTrue(keys.contains("providers.\(name).api_key"), name)
            XCTAssertEqual(SettingsCatalog.definition(forKey: "providers.\(name).api_key")?.isSecret, true, name)
        }
        XCTAssertEqual(SettingsCatalog.definition(forKey: "providers.kling.secret_key")?.variables, ["KLING_SECRET_KEY"])
        XCTAssertEqual(SettingsCatalog.definition(forKey: "providers.seedance.api_key")?.variables,
                       ["ARK_API_KEY", "VIDFLOW_SEEDANCE_API_KEY"])
        XCTAssertNil(SettingsCatalog.definition(forKey: "audio.openai.api_key"), "video providers live under providers.")
        XCTAssertNil(SettingsCatalog.definition(forKey: "providers.transcription.api_key"))
    }
}
