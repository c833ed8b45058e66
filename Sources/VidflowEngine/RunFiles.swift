import VidflowCore

/// The local files a run names literally (file inputs, and file parameters written without templates):
/// each checked against the run's file access before anything is read, then hashed for the cache keys.
///
/// A refused file fails the request with an issue naming the input or parameter. For a confined run
/// every refusal reads the same, whether or not the file exists; for an unconfined one (the CLI) a
/// missing file is left to the stage (its key says `missing:`), but a device, FIFO or socket is refused
/// here, before hashing would read it forever.
struct RunFiles {
    /// One literal local path and where it was written.
    struct Reference: Sendable {
        var text: String
        var stage: String?
        var field: String
        var hashed: Bool
    }

    let references: [Reference]
    let policy: FileAccessPolicy?

    init(definition: WorkflowDefinition, registry: StageRegistry, inputs: [String: JSONValue], policy: FileAccessPolicy?) {
        var found: [Reference] = []
        for spec in definition.inputs where spec.type == .file {
            if let text = inputs[spec.name]?.stringValue, LocalFile.mayBeLocal(text) {
                found.append(Reference(text: text, stage: nil, field: "inputs.\(spec.name)", hashed: true))
            }
        }
        for stage in definition.stages {
            guard let type = registry.stage(stage.uses) else { continue }
            let names = type.schema.localFileParameters
            for (name, value) in ParameterResolver.effective(stage, schema: type.schema).sorted(by: { $0.key < $1.key })
            where names.contains(name) && !value.hasTemplates {
                let hashed = type.schema.parameter(name)?.type == .file
                let texts = value.stringValue.map { [$0] } ?? (value.arrayValue ?? []).compactMap(\.stringValue)
                for text in texts where LocalFile.mayBeLocal(text) {
                    found.append(Reference(text: text, stage: stage.id, field: "with.\(name)", hashed: hashed))
                }
            }
        }
        references = found
        self.policy = policy
    }

    /// Checks every reference and hashes the `file` ones (the key is the text as written, as the cache
    /// keys look them up). Runs blocking work: call it inside `runBlocking`.
    func check() throws -> [String: String] {
        var hashes: [String: String] = [:]
        var issues: [ValidationIssue] = []
        for reference in references {
            let parameter = reference.field.hasPrefix("inputs.") ? String(reference.field.dropFirst(7))
                : String(reference.field.dropFirst(5))
            let path: String
            do {
                if policy == nil, LocalFile.kind(of: LocalFile.absolute(reference.text)) == .missing { continue }
                path = try LocalFile.resolve(reference.text, parameter: parameter, policy: policy)
            } catch {
                issues.append(ValidationIssue(stage: reference.stage, field: reference.field, message: Self.message(error)))
                continue
            }
            guard reference.hashed, hashes[reference.text] == nil else { continue }
            do {
                hashes[reference.text] = try FileDigest.sha256(ofFile: path).hash
            } catch let failure as StageFailure {
                let message = policy == nil ? failure.message : FileAccessPolicy.refusal(parameter)
                issues.append(ValidationIssue(stage: reference.stage, field: reference.field, message: message))
            }
        }
        if !issues.isEmpty { throw DefinitionError(issues) }
        return hashes
    }

    private static func message(_ error: any Error) -> String {
        (error as? StageFailure)?.message ?? "\(error)"
    }
}
