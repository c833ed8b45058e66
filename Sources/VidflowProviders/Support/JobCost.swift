import VidflowCore

/// Adds up what several jobs cost, in the provider's own terms.
enum JobCost {
    /// Numbers add; objects add field by field where the field is a number in each (Runway's
    /// `{"credits": 60}`); anything else (mixed or missing costs) is left as the list.
    static func sum(_ costs: [JSONValue]) -> JSONValue {
        let known = costs.filter { !$0.isNull }
        guard !known.isEmpty, known.count == costs.count else { return costs.allSatisfy(\.isNull) ? .null : .array(costs) }
        if known.allSatisfy({ $0.doubleValue != nil && $0.objectValue == nil }) {
            let total = known.compactMap(\.doubleValue).reduce(0, +)
            return known.allSatisfy({ $0.intValue != nil }) ? .int(Int(total)) : .double(total)
        }
        let objects = known.compactMap(\.objectValue)
        guard objects.count == known.count, let keys = objects.first.map({ Set($0.keys) }),
              objects.allSatisfy({ Set($0.keys) == keys }) else { return .array(costs) }
        var total: [String: JSONValue] = [:]
        for key in keys {
            let values = objects.compactMap { $0[key] }
            guard values.allSatisfy({ $0.doubleValue != nil }) else { return .array(costs) }
            let sum = values.compactMap(\.doubleValue).reduce(0, +)
            total[key] = values.allSatisfy({ $0.intValue != nil }) ? .int(Int(sum)) : .double(sum)
        }
        return .object(total)
    }
}
