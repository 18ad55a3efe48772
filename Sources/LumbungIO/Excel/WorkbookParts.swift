import Foundation
import Lumbung
internal import XMLCoder
internal import ZIPFoundation

/// The small parts of an .xlsx that say where things are: the package relationships, the
/// workbook's sheet list (in workbook order) and its relationships. Decoded whole with XMLCoder:
/// they are a few kilobytes even for a large workbook.
struct WorkbookParts {
    struct Sheet: Equatable {
        var name: String
        /// The worksheet part's path inside the zip, e.g. `xl/worksheets/sheet1.xml`.
        var path: String
    }

    /// The sheets, in workbook order (the order of the tabs).
    var sheets: [Sheet]
    /// The shared-string part's path, when the workbook has one.
    var sharedStrings: String?

    init(archive: Archive, file: String) throws {
        let officeDocument = try Self.relationships(of: "", in: archive, file: file)
            .first { $0.type.hasSuffix("/officeDocument") }
        guard let workbookPath = officeDocument.map({ Self.resolve($0.target, from: "") }),
              let workbookEntry = archive[workbookPath]
        else {
            throw LumbungError(.xlsxNotWorkbook, field: "file", value: file, rule: "a zip, but not an Excel workbook: it has no workbook part (xl/workbook.xml); save it as .xlsx")
        }
        let workbook: WorkbookXML = try Self.decode(try Self.read(workbookEntry, archive, file), part: workbookPath, file: file)
        let folder = (workbookPath as NSString).deletingLastPathComponent
        let relationships = try Self.relationships(of: workbookPath, in: archive, file: file)
        var byID: [String: String] = [:]
        for relationship in relationships { byID[relationship.id] = Self.resolve(relationship.target, from: folder) }
        sheets = try workbook.sheets.sheet.map { sheet in
            guard let path = byID[sheet.id] else {
                throw LumbungError(.xlsxCorrupt, field: workbookPath, value: sheet.name, rule: "the sheet's relationship \(sheet.id) is missing from the workbook's relationships")
            }
            return Sheet(name: sheet.name, path: path)
        }
        sharedStrings = relationships.first { $0.type.hasSuffix("/sharedStrings") }.map { Self.resolve($0.target, from: folder) }
    }

    /// The sheet named `name` (exactly, else ignoring case), or the first by workbook order.
    /// - Throws: `xlsx.sheetNotFound` naming the sheets there are.
    func sheet(named name: String?, file: String) throws -> Sheet {
        guard let name else {
            guard let first = sheets.first else {
                throw LumbungError(.xlsxCorrupt, field: "file", value: file, rule: "the workbook has no sheets")
            }
            return first
        }
        if let sheet = sheets.first(where: { $0.name == name }) ?? sheets.first(where: { $0.name.lowercased() == name.lowercased() }) {
            return sheet
        }
        throw LumbungError(.xlsxSheetNotFound, field: "sheet", value: name,
                           rule: "the workbook has no such sheet; its sheets are: \(sheets.map { "'\($0.name)'" }.joined(separator: ", "))")
    }

    // MARK: Reading parts

    /// A small part, whole.
    static func read(_ entry: Entry, _ archive: Archive, _ file: String) throws -> Data {
        var data = Data()
        do {
            let checksum = try archive.extract(entry, consumer: { data.append($0) })
            guard checksum == entry.checksum else {
                throw LumbungError(.xlsxCorrupt, field: entry.path, value: file, rule: "the part fails its CRC-32 check: the file is damaged")
            }
        } catch let error as LumbungError {
            throw error
        } catch {
            throw corrupt(entry.path, file, error)
        }
        return data
    }

    static func corrupt(_ part: String, _ file: String, _ error: any Error) -> LumbungError {
        LumbungError(.xlsxCorrupt, field: part, value: file, rule: "the part cannot be read (\(error)): the file is damaged or truncated")
    }

    private static func decode<T: Decodable>(_ data: Data, part: String, file: String) throws -> T {
        let decoder = XMLDecoder()
        do { return try decoder.decode(T.self, from: data) } catch {
            throw LumbungError(.xlsxCorrupt, field: part, value: file, rule: "the part is not the XML an .xlsx has (\(error))")
        }
    }

    /// The relationships of `part` (`""` for the package), from `_rels/NAME.rels` beside it.
    private static func relationships(of part: String, in archive: Archive, file: String) throws -> [RelationshipsXML.Relationship] {
        let folder = (part as NSString).deletingLastPathComponent
        let name = (part as NSString).lastPathComponent
        let path = (folder.isEmpty ? "" : folder + "/") + "_rels/\(name).rels"
        guard let entry = archive[path] else { return [] }
        let relationships: RelationshipsXML = try decode(try read(entry, archive, file), part: path, file: file)
        return relationships.relationship
    }

    /// A relationship's target as a path inside the zip: `/xl/x.xml` is absolute, `x.xml` is
    /// relative to the folder of the part that names it; `..` is resolved.
    static func resolve(_ target: String, from folder: String) -> String {
        let joined = target.hasPrefix("/") ? String(target.dropFirst()) : (folder.isEmpty ? target : folder + "/" + target)
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}

/// `xl/workbook.xml`: only the sheet list is read.
private struct WorkbookXML: Decodable {
    struct Sheets: Decodable {
        var sheet: [SheetXML]
    }

    struct SheetXML: Decodable {
        var name: String
        /// `r:id`, whatever the relationships namespace's prefix is.
        var id: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            name = try container.decode(String.self, forKey: AnyKey("name"))
            guard let key = container.allKeys.first(where: { $0.stringValue.hasSuffix(":id") }) else {
                throw DecodingError.keyNotFound(AnyKey("r:id"), .init(codingPath: decoder.codingPath, debugDescription: "a sheet without r:id"))
            }
            id = try container.decode(String.self, forKey: key)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var sheets: Sheets
}

/// A `.rels` part.
private struct RelationshipsXML: Decodable {
    struct Relationship: Decodable {
        var id: String
        var type: String
        var target: String
        enum CodingKeys: String, CodingKey {
            case id = "Id", type = "Type", target = "Target"
        }
    }

    var relationship: [Relationship]
    enum CodingKeys: String, CodingKey { case relationship = "Relationship" }
}
