/// A parsed JSON value. Objects keep their members in order and keep duplicates, so the
/// caller can report them; numbers keep their text, so integers are read exactly.
enum JSONValue {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    var typeDescription: String {
        switch self {
        case .object: "an object"
        case .array(let elements): "an array of \(elements.count) elements"
        case .string(let text): "the string \"\(text.count > 40 ? String(text.prefix(40)) + "..." : text)\""
        case .number(let lexeme): "the number \(lexeme.count > 40 ? String(lexeme.prefix(40)) + "..." : lexeme)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }
}
