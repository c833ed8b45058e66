/// Reads the `stages:` list and the `workflow_chain:` shorthand.
extension Reader {
    mutating func stages(_ value: JSONValue, defaults: StageDefaults) -> [StageDefinition] {
        guard let list = value.arrayValue else {
            issue("stages", "must be a list of stages")
            return []
        }
        if list.isEmpty { issue("stages", "a workflow needs at least one stage") }
        guard list.count <= DefinitionLimits.maxStages else {
            issue("stages", "\(list.count) stages, more than the limit of \(DefinitionLimits.maxStages)")
            return []
        }
        var stages: [StageDefinition] = []
        for (index, item) in list.enumerated() {
            let field = "stages[\(index)]"
            guard let map = item.objectValue else {
                issue(field, "each stage must be a mapping with 'id' and 'uses'")
                continue
            }
            let id = map["id"]?.stringValue ?? ""
            let label = id.isEmpty ? nil : id
            for key in map.keys.sorted() where !DefinitionParser.stageKeys.contains(key) {
                issue(key, "unknown stage field" + Spelling.suggestion(for: key, among: DefinitionParser.stageKeys), stage: label)
            }
            if id.isEmpty { issue("\(field).id", "required: a stage id") }
            let uses = map["uses"]?.stringValue ?? ""
            if uses.isEmpty { issue("uses", "required: the stage type to run", stage: label) }
            var with: [String: JSONValue] = [:]
            if let w = map["with"] {
                if let object = w.objectValue { with = object } else if !w.isNull { issue("with", "must be a mapping of parameters", stage: label) }
            }
            var needs: [String] = stages.last.map { [$0.id] } ?? []
            if let n = map["needs"] {
                if let one = n.stringValue { needs = [one] }
                else if let many = n.arrayValue, many.allSatisfy({ $0.stringValue != nil }) { needs = many.compactMap(\.stringValue) }
                else if n.isNull { needs = [] }
                else { issue("needs", "must be a stage id or a list of stage ids", stage: label) }
            }
            var stage = StageDefinition(id: id, uses: uses, with: with, needs: needs)
            if let r = map["retry"] { stage.retry = retry(r, base: defaults.retry, field: "retry", stage: label) }
            if let t = map["timeout"] { stage.timeoutMs = duration(t, field: "timeout", stage: label) }
            if let c = map["if"] {
                switch c {
                case .string(let text): stage.condition = text
                case .bool(let flag): stage.condition = flag ? "true" : "false"
                default: issue("if", "must be an expression", stage: label)
                }
            }
            if let p = map["pool"] {
                if let pool = p.stringValue { stage.pool = pool } else { issue("pool", "must be a pool name", stage: label) }
            }
            stages.append(stage)
        }
        return stages
    }

    /// `workflow_chain: [image.upload, video.generate]` → a chain; parameters under each type's name.
    mutating func chain(_ value: JSONValue, root: [String: JSONValue], defaults: StageDefaults) -> [StageDefinition] {
        guard let list = value.arrayValue, !list.isEmpty else {
            issue("workflow_chain", "must be a non-empty list of stage types")
            return []
        }
        guard list.count <= DefinitionLimits.maxStages else {
            issue("workflow_chain", "\(list.count) stages, more than the limit of \(DefinitionLimits.maxStages)")
            return []
        }
        var stages: [StageDefinition] = []
        var used: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            guard let uses = item.stringValue, !uses.isEmpty else {
                issue("workflow_chain[\(index)]", "must be a stage type name")
                continue
            }
            let base = String(uses.split(separator: ".").last ?? Substring(uses)).replacingOccurrences(of: "-", with: "_")
            used[base, default: 0] += 1
            let id = used[base] == 1 ? base : "\(base)_\(used[base] ?? 0)"
            var with: [String: JSONValue] = [:]
            if let params = root[uses] {
                if let object = params.objectValue { with = object }
                else { issue(uses, "parameters for '\(DefinitionLimits.excerpt(uses))' must be a mapping") }
            }
            stages.append(StageDefinition(id: id, uses: uses, with: with, needs: stages.last.map { [$0.id] } ?? []))
        }
        return stages
    }
}
