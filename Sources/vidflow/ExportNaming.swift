import ArgumentParser

/// `--name` and `--force`, shared by `run --output` and `export`: what the written files are called and
/// whether existing ones are replaced.
struct ExportNaming: ParsableArguments {
    @Option(name: .customLong("name"),
            help: "Name the files NAME.mp4, NAME_thumb.jpg, NAME.srt… (default: <workflow>-<run id>; sanitized).")
    var name: String?

    @Flag(name: .customLong("force"), help: "Replace files of the same names that exist already.")
    var force = false

    func validate() throws {
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CLIFailure.badInput("--name must not be empty").report()
        }
    }
}
