/// One `"key": value` of a JSON object.
struct JSONMember {
    let key: String
    let value: JSONValue
}
