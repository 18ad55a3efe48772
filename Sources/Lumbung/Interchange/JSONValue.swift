/// A JSON value with ordered keys, for answers and reports the adapters build themselves; it is
/// written by the same ``JSONWriter`` as households, so strings, numbers and times come out the
/// same everywhere.
///
/// ```swift
/// let body: JSONValue = .object([("households", .int(3)), ("next_cursor", .null)])
/// body.text        // {"households":3,"next_cursor":null}
/// ```
public indirect enum JSONValue: Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    /// Always written with a fraction or exponent (`36.0`); `null` when not finite.
    case double(Double)
    case bool(Bool)
    case null
    /// A time as a JSON string, to the millisecond or the second (see ``Timestamp``).
    case time(Timestamp, Timestamp.Precision = .milliseconds)
    /// Bytes that already are one JSON value (a household from ``HouseholdJSON``).
    case raw([UInt8])

    /// The value as compact UTF-8 JSON.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// Appends the value's compact JSON to `out`.
    public func write(into out: inout [UInt8], pretty: Bool = false) {
        var writer = JSONWriter(pretty: pretty, capacity: 256)
        writer.write(self)
        writer.append(to: &out)
    }

    /// Calls `body` with the value's compact JSON, written once into a buffer sized for its raw
    /// parts: a DCI answer of 50 records (about 180 KB) is neither grown nor copied into an array.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        var writer = JSONWriter(pretty: false, capacity: rawSize + 4096)
        writer.write(self)
        return try writer.withBytes(body)
    }

    /// The bytes of the `.raw` values inside.
    private var rawSize: Int {
        switch self {
        case .raw(let json): json.count
        case .object(let entries): entries.reduce(0) { $0 + $1.1.rawSize }
        case .array(let values): values.reduce(0) { $0 + $1.rawSize }
        default: 0
        }
    }

    /// The value as compact JSON text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `.string(text)`, or `.null` when `text` is nil.
    public static func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
}
