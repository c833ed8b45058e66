import Foundation
import VidflowCore
import VidflowEngine

/// The `FileAccessPolicy` of a run a user creates over HTTP: their own storage, the artifact store,
/// and the defaults the operator wrote into the server's own workflows; nothing else on the server.
///
/// The artifact store is allowed as a whole: artifacts are shared, content-addressed files named by
/// their SHA-256, which no answer shows any more (paths are shown without the server's directories,
/// and a user sees only the hashes of their own runs), so naming another user's artifact takes knowing
/// its content already. Runs pass artifacts on through `${{ stages.x.outputs.file }}`.
struct UserFileAccess {
    let dataDirectory: String
    let userID: String

    /// The policy, trusting `trustedFiles` (real paths of library defaults) besides the user's areas.
    func policy(trusting trustedFiles: [String] = []) -> FileAccessPolicy {
        let data = LocalFile.realPath(dataDirectory) ?? LocalFile.absolute(dataDirectory)
        let userRoot = data + "/files/" + userID
        var hidden = [userRoot, data, LocalFile.absolute(dataDirectory) + "/files/" + userID, LocalFile.absolute(dataDirectory)]
        let workingDirectory = FileManager.default.currentDirectoryPath
        hidden.append(workingDirectory)
        if let real = LocalFile.realPath(workingDirectory) { hidden.append(real) }
        var seen = Set<String>()
        return FileAccessPolicy(userRoot: userRoot, allowedRoots: [userRoot, data + "/artifacts"],
                                trustedFiles: trustedFiles.sorted(), hiddenPrefixes: hidden.filter { $0.count > 1 && seen.insert($0).inserted })
    }

    /// A library workflow with the local paths its author wrote (file input defaults the request leaves
    /// out and `given` does not fill, literal file parameters) made absolute against the server's directory, and those paths, to trust.
    static func trustingLibraryPaths(_ definition: WorkflowDefinition, inputs: inout [String: JSONValue], except given: Set<String>,
                                     registry: StageRegistry) -> (definition: WorkflowDefinition, trusted: [String]) {
        var trusted: [String] = []
        func pinned(_ text: String) -> String? {
            guard LocalFile.mayBeLocal(text), !text.contains("${{") else { return nil }
            let path = LocalFile.realPath(LocalFile.absolute(text)) ?? LocalFile.absolute(text)
            trusted.append(path)
            return path
        }
        for spec in definition.inputs where spec.type == .file && inputs[spec.name] == nil && !given.contains(spec.name) {
            if let text = spec.defaultValue?.stringValue, let path = pinned(text) { inputs[spec.name] = .string(path) }
        }
        var definition = definition
        for index in definition.stages.indices {
            guard let type = registry.stage(definition.stages[index].uses) else { continue }
            for name in type.schema.localFileParameters {
                if let text = definition.stages[index].with[name]?.stringValue, let path = pinned(text) {
                    definition.stages[index].with[name] = .string(path)
                }
            }
        }
        return (definition, trusted)
    }
}

extension Optional where Wrapped == FileAccessPolicy {
    /// `value` with every string scrubbed of the policy's hidden prefixes (as is without a policy):
    /// how a run's inputs, stage parameters, outputs and errors are shown over HTTP.
    func scrubbed(_ value: JSONValue) -> JSONValue {
        guard let policy = self else { return value }
        switch value {
        case .string(let text): return .string(policy.scrub(text))
        case .array(let items): return .array(items.map(scrubbed))
        case .object(let fields): return .object(fields.mapValues(scrubbed))
        default: return value
        }
    }

    func scrubbed(_ text: String) -> String { self?.scrub(text) ?? text }
}
