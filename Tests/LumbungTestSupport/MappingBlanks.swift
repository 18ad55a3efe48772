import Foundation
import Testing

/// Fills the blanks of a mapping `lumbung mapping infer` proposed, as an operator would: each
/// `fill_in` entry from `answers` (left `""` when not answered), each constant from `constants`.
public func fillMappingBlanks(_ json: Data, answers: [String: String], constants: [String: String]) throws -> Data {
    var tree = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    var columns = try #require(tree["columns"] as? [[String: Any]])
    for index in columns.indices {
        if var fillIn = columns[index]["fill_in"] as? [String: String] {
            for key in fillIn.keys { fillIn[key] = answers[key] ?? fillIn[key] }
            columns[index]["fill_in"] = fillIn
        }
        if let field = columns[index]["field"] as? String, let value = constants[field], columns[index]["constant"] != nil {
            columns[index]["constant"] = value
        }
    }
    tree["columns"] = columns
    return try JSONSerialization.data(withJSONObject: tree)
}
