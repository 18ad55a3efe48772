import Hummingbird
import Lumbung
import NIOCore

/// Reading a request's query parameters, path parameters and body, turning every bad value into
/// a 4xx problem that names the parameter.
struct RequestInput {
    /// The query parameters, refusing any the route does not know (a typo is not silently ignored).
    static func query(_ request: Request, allowed: Set<String>) throws -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                throw APIError(LumbungError(
                    .requestInvalid, field: String(name.prefix(64)),
                    rule: "unknown query parameter; this route takes \(allowed.sorted().joined(separator: ", "))"))
            }
            guard values[name] == nil else {
                throw APIError(LumbungError(.requestInvalid, field: name, rule: "give the parameter once"))
            }
            values[name] = String(value)
        }
        return values
    }

    /// Runs a parser on one parameter; its error becomes 400 naming the parameter.
    static func parse<T>(_ name: String, _ text: String, _ parser: (String) throws -> T) throws -> T {
        do {
            return try parser(text)
        } catch var error as LumbungError {
            error.field = name
            throw APIError(.badRequest, error)
        }
    }

    /// An integer parameter within `range`.
    static func integer(_ name: String, _ text: String?, in range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard text.utf8.count <= 20, let value = Int(text), range.contains(value) else {
            throw APIError(LumbungError(
                .requestInvalid, field: name, value: String(text.prefix(32)),
                rule: "an integer from \(range.lowerBound) to \(range.upperBound)"))
        }
        return value
    }

    /// A `true`/`false` parameter (nil when absent).
    static func flag(_ name: String, _ text: String?) throws -> Bool? {
        switch text {
        case nil: return nil
        case "true"?: return true
        case "false"?: return false
        case let other?: throw APIError(LumbungError(.requestInvalid, field: name, value: String(other.prefix(16)), rule: "true or false"))
        }
    }

    static func nik(_ text: String, field: String = "nik") throws -> NIK {
        try parse(field, text) { try NIK($0) }
    }

    /// A household id from a path: a number that is no storable id (0, negative, beyond
    /// ``HouseholdID/max``, however long) names no household, so it is 404 like an absent one;
    /// anything else that is not a number is 400.
    static func householdID(_ text: String, field: String = "id") throws -> HouseholdID {
        if let id = HouseholdID(text) { return id }
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw APIError(LumbungError(
                .requestInvalid, field: field, value: String(text.prefix(32)), rule: "a household id is an integer from 1 to \(HouseholdID.max)"))
        }
        throw ScopeRules.householdNotFound(field: field, value: String(text.prefix(32)))
    }

    /// The body, up to `limit` bytes (413 beyond, before reading it when Content-Length says so).
    static func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(LumbungError(.requestTooLarge, rule: "the body is larger than the server's limit of \(limit) bytes"))
    }

    /// A household from a JSON body: malformed JSON and wrong types are 400, values the register
    /// refuses 422 (each naming the field).
    static func household(_ request: Request, limit: Int) async throws -> Household {
        let buffer = try await body(request, limit: limit)
        guard buffer.readableBytes > 0 else {
            throw APIError(LumbungError(.jsonMalformed, rule: "the body is empty; send one household as JSON"))
        }
        do {
            return try HouseholdJSON.decode(buffer.readableBytesView)
        } catch let error as LumbungError {
            throw APIError(from: error)
        }
    }
}
