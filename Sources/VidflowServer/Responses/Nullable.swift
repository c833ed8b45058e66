/// An optional field written as `null` when absent, where the API's documents always carry the key
/// (Swift's synthesized `Encodable` leaves a nil optional out).
///
/// ```swift
/// struct TaskHeartbeat: ResponseEncodable { @Nullable var stage: String? }
/// // {"stage":null}
/// ```
@propertyWrapper
struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
