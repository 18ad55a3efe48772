import Hummingbird

/// The OpenAPI 3.1 document of the API (`OpenAPI/openapi.yaml`, embedded at build time),
/// served at `/openapi.yaml`.
public enum OpenAPIDocument {
    /// The YAML text.
    public static var yaml: String { openAPIDocumentText }

    /// Every documented operation as (method, path template), e.g. ("GET", "/v1/persons/{nik}"):
    /// read from the `paths:` section (two-space indentation, as the file is written).
    public static var operations: [(method: String, path: String)] {
        var operations: [(String, String)] = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.dropFirst(4).dropLast())
                if methods.contains(key) { operations.append((key.uppercased(), path)) }
            }
        }
        return operations
    }
}

struct OpenAPIRoutes<Context: LumbungRequestContext>: Sendable {
    func add(to group: RouterGroup<Context>) {
        group.get("openapi.yaml") { request, context -> Response in
            _ = try context.access.authenticated()
            _ = try RequestInput.query(request, allowed: [])
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }
}
