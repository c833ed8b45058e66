import Foundation

/// What a stage's cache key is made of, kept so a re-run can say which part changed.
///
/// Stage references stay symbolic (`${{ stages.a.outputs.x }}`) and the upstream stages' keys stand
/// in for their outputs, so keys are known before anything runs.
public struct CacheKeyComponents: Sendable, Hashable, Codable {
    public var type: String
    public var version: Int
    /// Parameter name → canonical JSON of its unresolved value (file parameters: `sha256:…`).
    public var parameters: [String: String]
    /// Referenced input name → canonical JSON of its value (file inputs: `sha256:…`).
    public var inputs: [String: String]
    /// Direct upstream stage id → its key.
    public var upstream: [String: String]
    public var condition: String?

    public init(type: String, version: Int, parameters: [String: String], inputs: [String: String],
                upstream: [String: String], condition: String? = nil) {
        self.type = type
        self.version = version
        self.parameters = parameters
        self.inputs = inputs
        self.upstream = upstream
        self.condition = condition
    }

    /// SHA-256 of the components' canonical JSON (sorted keys, compact).
    public var key: String {
        var fields: [String: JSONValue] = [
            "type": .string(type), "version": .int(version),
            "parameters": .object(parameters.mapValues(JSONValue.string)),
            "inputs": .object(inputs.mapValues(JSONValue.string)),
            "upstream": .object(upstream.mapValues(JSONValue.string)),
        ]
        if let condition { fields["condition"] = .string(condition) }
        return FileDigest.sha256(of: Array(JSONValue.object(fields).canonicalJSON.utf8))
    }

    /// Human-readable differences from an earlier key's components.
    public func changes(since old: CacheKeyComponents) -> [String] {
        var changes: [String] = []
        if type != old.type { changes.append("stage type changed (\(old.type) → \(type))") }
        if version != old.version { changes.append("\(type) version changed (\(old.version) → \(version))") }
        for name in Set(parameters.keys).union(old.parameters.keys).sorted() where parameters[name] != old.parameters[name] {
            changes.append("parameter '\(name)' changed (\(old.parameters[name] ?? "unset") → \(parameters[name] ?? "unset"))")
        }
        for name in Set(inputs.keys).union(old.inputs.keys).sorted() where inputs[name] != old.inputs[name] {
            changes.append("input '\(name)' changed (\(Self.short(old.inputs[name])) → \(Self.short(inputs[name])))")
        }
        if condition != old.condition { changes.append("condition changed") }
        for id in Set(upstream.keys).union(old.upstream.keys).sorted() where upstream[id] != old.upstream[id] {
            if old.upstream[id] == nil { changes.append("new upstream '\(id)'") }
            else if upstream[id] == nil { changes.append("upstream '\(id)' removed") }
            else { changes.append("upstream '\(id)' changed") }
        }
        return changes
    }

    private static func short(_ text: String?) -> String {
        guard let text else { return "unset" }
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }
}

/// Computes cache key components for every stage of a definition.
public enum CacheKeyBuilder {
    /// Components per stage id. `fileHashes` maps file paths (file inputs and literal file parameters) to SHA-256.
    public static func components(for definition: WorkflowDefinition, registry: StageRegistry,
                                  inputs: [String: JSONValue], fileHashes: [String: String]) -> [String: CacheKeyComponents] {
        var result: [String: CacheKeyComponents] = [:]
        let stages = definition.stagesByID
        let declared = definition.inputsByName
        for id in WorkflowGraph(definition).topologicalOrder() {
            guard let stage = stages[id], let type = registry.stage(stage.uses) else { continue }
            let parameters = ParameterResolver.effective(stage, schema: type.schema)
            var parameterParts: [String: String] = [:]
            for (name, value) in parameters {
                if type.schema.parameter(name)?.type == .file, let path = value.stringValue, !value.hasTemplates {
                    parameterParts[name] = fileDigest(path, fileHashes)
                } else {
                    parameterParts[name] = value.canonicalJSON
                }
            }
            var referenced: Set<String> = []
            let templates = Array(parameters.values) + [stage.condition.map { .string(DefinitionValidator.conditionTemplate($0)) } ?? .null]
            for value in templates {
                for case .input(let name) in (try? value.templateReferences()) ?? [] { referenced.insert(name) }
            }
            var inputParts: [String: String] = [:]
            for name in referenced {
                let value = inputs[name] ?? .null
                if declared[name]?.type == .file, let path = value.stringValue {
                    inputParts[name] = fileDigest(path, fileHashes)
                } else {
                    inputParts[name] = value.canonicalJSON
                }
            }
            var upstream: [String: String] = [:]
            for need in stage.needs { upstream[need] = result[need]?.key ?? "unknown" }
            result[id] = CacheKeyComponents(type: stage.uses, version: type.version, parameters: parameterParts,
                                            inputs: inputParts, upstream: upstream, condition: stage.condition)
        }
        return result
    }

    /// Paths whose content must be hashed before keys can be computed.
    public static func filePaths(for definition: WorkflowDefinition, registry: StageRegistry,
                                 inputs: [String: JSONValue]) -> Set<String> {
        var paths: Set<String> = []
        for spec in definition.inputs where spec.type == .file {
            if let path = inputs[spec.name]?.stringValue, !path.isEmpty { paths.insert(path) }
        }
        for stage in definition.stages {
            guard let type = registry.stage(stage.uses) else { continue }
            for (name, value) in ParameterResolver.effective(stage, schema: type.schema)
            where type.schema.parameter(name)?.type == .file && !value.hasTemplates {
                if let path = value.stringValue, !path.isEmpty { paths.insert(path) }
            }
        }
        return paths
    }

    private static func fileDigest(_ path: String, _ hashes: [String: String]) -> String {
        if let hash = hashes[path] { return "sha256:\(hash)" }
        if path.contains("://") || path.hasPrefix("data:") { return JSONValue.string(path).canonicalJSON }
        return "missing:\(path)"
    }
}
