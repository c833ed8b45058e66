import CYaml

/// Reads a YAML document's events once, before it is composed, and refuses what would blow up later:
/// aliases copying in more than `maxYAMLAliasNodes` (the "billion laughs"), more than `maxYAMLNodes` in
/// all, nesting past `maxNestingDepth` (aliases included) and tags other than YAML's core ones
/// (`!!python/object:…`, `!custom`).
///
/// Linear in the size of the text: each anchor's expanded size is computed once, when it closes.
/// ```swift
/// if let problem = YAMLBudget.problem(in: text) { throw … problem … }
/// ```
enum YAMLBudget {
    /// Tags the definition format accepts: the non-specific `!` and YAML's core schema.
    static let allowedTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    ]

    /// One open sequence or mapping: nodes so far (itself included) and the height of its deepest child.
    private struct Frame {
        var nodes = 1
        var height = 0
        var anchor: String?
    }

    /// The first limit the document breaks, as a message with its line; nil when it keeps them all
    /// (syntax errors are left to the parser that composes the document).
    static func problem(in text: String, maxNodes: Int = DefinitionLimits.maxYAMLNodes,
                        maxAliasNodes: Int = DefinitionLimits.maxYAMLAliasNodes,
                        maxDepth: Int = DefinitionLimits.maxNestingDepth) -> String? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeMutableBufferPointer { buffer -> String? in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var stack: [Frame] = []
            var anchors: [String: (nodes: Int, height: Int)] = [:]
            var total = 0
            var copied = 0
            /// Adds a finished node to its parent; false when the document grows past the budget.
            func add(nodes: Int, height: Int) -> Bool {
                if stack.isEmpty {
                    total += nodes
                    return total <= maxNodes
                }
                stack[stack.count - 1].nodes += nodes
                stack[stack.count - 1].height = max(stack[stack.count - 1].height, height)
                return stack[stack.count - 1].nodes <= maxNodes
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    // libyaml's own nesting limit (1000) can trip first, while it looks ahead for keys.
                    let problem = parser.problem.map { String(cString: $0) } ?? ""
                    guard problem.contains("nesting level") else { return nil }
                    return "arrays and mappings nest more than \(maxDepth) deep (line \(parser.problem_mark.line + 1))"
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                let tooMany = "the document expands to more than \(maxNodes) nodes once its aliases are followed (line \(line))"
                let tooDeep = "arrays and mappings nest more than \(maxDepth) deep (line \(line))"
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    if let tag = string(event.data.scalar.tag), !allowedTags.contains(tag) { return unknownTag(tag, line) }
                    if let anchor = string(event.data.scalar.anchor) { anchors[anchor] = (1, 0) }
                    guard add(nodes: 1, height: 0) else { return tooMany }
                case YAML_ALIAS_EVENT:
                    guard let anchor = string(event.data.alias.anchor), let target = anchors[anchor] else { continue }
                    guard stack.count + target.height <= maxDepth else { return tooDeep }
                    copied += target.nodes
                    guard copied <= maxAliasNodes else {
                        return "the document's aliases copy in more than \(maxAliasNodes) nodes (line \(line))"
                    }
                    guard add(nodes: target.nodes, height: target.height) else { return tooMany }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isSequence = event.type == YAML_SEQUENCE_START_EVENT
                    let tag = string(isSequence ? event.data.sequence_start.tag : event.data.mapping_start.tag)
                    if let tag, !allowedTags.contains(tag) { return unknownTag(tag, line) }
                    guard stack.count < maxDepth else { return tooDeep }
                    stack.append(Frame(anchor: string(isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = stack.popLast() else { continue }
                    if let anchor = frame.anchor { anchors[anchor] = (frame.nodes, frame.height + 1) }
                    guard add(nodes: frame.nodes, height: frame.height + 1) else { return tooMany }
                default:
                    continue
                }
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// The tag as written (`!!python/object:x` rather than its expanded `tag:yaml.org,2002:` form).
    private static func unknownTag(_ tag: String, _ line: Int) -> String {
        let prefix = "tag:yaml.org,2002:"
        let written = tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
        return "YAML tag '\(DefinitionLimits.excerpt(written))' is not supported (line \(line)); "
            + "a workflow holds only strings, numbers, booleans, null, lists and mappings"
    }
}
