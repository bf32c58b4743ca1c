import Foundation
import Testing

/// The service's OpenAPI document (JSON, which is YAML), and a check of a response body against
/// the schema it gives for a path, method and status: types, required and extra properties,
/// array lengths, nullability, enums and `$ref`s. Enough to hold the document to what the
/// service really answers.
struct OpenAPIDocument {
    let root: [String: Any]

    init(_ data: Data) throws {
        root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["openapi"] as? String == "3.0.3")
    }

    /// The problems of `body` against the schema of `method path` answering `status` (empty:
    /// it conforms); a status the document does not list is a problem.
    func problems(_ body: Data, path: String, method: String, status: Int) throws -> [String] {
        guard let operation = ((root["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any],
            var response = (operation["responses"] as? [String: Any])?[String(status)] as? [String: Any]
        else { return ["\(method.uppercased()) \(path) does not document status \(status)"] }
        if let reference = response["$ref"] as? String { response = resolve(reference) }
        guard let content = response["content"] as? [String: Any],
            let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any]
        else { return ["\(method.uppercased()) \(path) \(status) has no JSON schema"] }
        return check(try JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed), against: schema, at: "$")
    }

    private func resolve(_ reference: String) -> [String: Any] {
        var node: Any = root
        for key in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    private func check(_ value: Any, against schema: [String: Any], at path: String) -> [String] {
        if let reference = schema["$ref"] as? String { return check(value, against: resolve(reference), at: path) }
        if value is NSNull { return schema["nullable"] as? Bool == true ? [] : ["\(path) is null"] }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path) is not an object"] }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            var problems = (schema["required"] as? [String] ?? []).filter { object[$0] == nil }.map {
                "\(path).\($0) is missing"
            }
            for (key, item) in object {
                if let property = properties[key] {
                    problems += check(item, against: property, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path).\(key) is not in the document")
                }
            }
            return problems
        case "array":
            guard let array = value as? [Any] else { return ["\(path) is not an array"] }
            var problems: [String] = []
            if let least = schema["minItems"] as? Int, array.count < least {
                problems.append("\(path) has \(array.count) items")
            }
            if let most = schema["maxItems"] as? Int, array.count > most {
                problems.append("\(path) has \(array.count) items")
            }
            let items = schema["items"] as? [String: Any] ?? [:]
            for (index, item) in array.enumerated() { problems += check(item, against: items, at: "\(path)[\(index)]") }
            return problems
        case "string":
            guard let string = value as? String else { return ["\(path) is not a string"] }
            if let allowed = schema["enum"] as? [String], !allowed.contains(string) { return ["\(path) is \(string)"] }
            return []
        case "integer":
            return (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } == true
                ? [] : ["\(path) is not an integer"]
        case "number":
            // Foundation on Linux also reads a JSON 0 or 1 as a Bool: any number is a number.
            return value is NSNumber ? [] : ["\(path) is not a number"]
        case "boolean":
            return value is Bool ? [] : ["\(path) is not a boolean"]
        default:
            return []
        }
    }
}
