import Hummingbird
import Lumbung

/// Hummingbird responses for JSON: bodies are built as the core's ``JSONValue`` (or are bytes
/// the core's writer made), so this adds headers only, never a second way to write JSON.
///
/// ```swift
/// return JSONValue.object([("households", .int(3)), ("next_cursor", .null)]).response(status: .ok)
/// return JSONBody.response(HouseholdJSON.encode(household))
/// ```
public enum JSONBody {
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

extension JSONValue {
    /// A response with this value as its body.
    public func response(status: HTTPResponse.Status = .ok, contentType: String = "application/json", headers: HTTPFields = [:]) -> Response {
        // Written once and copied once, into the buffer Hummingbird sends.
        withBytes { JSONBody.response(ByteBuffer(bytes: $0), status: status, contentType: contentType, headers: headers) }
    }
}
