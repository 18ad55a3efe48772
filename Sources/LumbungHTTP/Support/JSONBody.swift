import Hummingbird
import Lumbung

/// A small JSON value with ordered keys, for response bodies the API builds itself.
///
/// ```swift
/// let body: JSONBody = .object([("households", .int(3)), ("next_cursor", .null)])
/// return body.response(status: .ok)
/// ```
public indirect enum JSONBody: Sendable {
    case object([(String, JSONBody)])
    case array([JSONBody])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    /// Bytes that already are one JSON value (a household from ``HouseholdJSON``).
    case raw([UInt8])

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .object(let entries):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text): Self.quote(text, into: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value):
            out.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .raw(let bytes): out.append(contentsOf: bytes)
        }
    }

    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Copy runs that need no escaping whole; most strings are one run.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard JSONEscape.needed(byte) else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                JSONEscape.write(byte) { out.append($0) }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A response with this body.
    public func response(status: HTTPResponse.Status = .ok, contentType: String = "application/json", headers: HTTPFields = [:]) -> Response {
        Self.response(bytes, status: status, contentType: contentType, headers: headers)
    }

    /// A response with these JSON bytes.
    public static func response(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = "application/json", headers: HTTPFields = [:]) -> Response {
        response(ByteBuffer(bytes: bytes), status: status, contentType: contentType, headers: headers)
    }

    /// The same, for bytes already in a buffer.
    public static func response(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, contentType: String = "application/json", headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }
}
