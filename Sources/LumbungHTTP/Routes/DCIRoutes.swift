import Foundation
import Hummingbird
import Lumbung

/// `POST /registry/sync/search`: the synchronous search of the DCI Social Registry API v1.0.0,
/// answering `Group` or `Member` records (see ``DCISearch`` for the queries, sort and
/// entities, ``DCIGroup`` for the records), limited to the token's scope like every other read:
/// what lies outside it is not found.
///
/// A body that is not JSON, or has no `header` or `message` object, is a 400 problem. A header
/// Lumbung cannot accept gets `header.status` `rjct` with a `MsgHeaderStatusReasonCode`; each
/// search of the batch gets its own `status` (`succ` or `rjct`) and `status_reason_code`.
struct DCIRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    /// The most searches one message may hold.
    static var maxBatch: Int { 100 }

    func add(to group: RouterGroup<Context>) {
        group.post("registry/sync/search", use: search)
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        _ = try RequestInput.query(request, allowed: [])
        let buffer = try await RequestInput.body(request, limit: api.configuration.bodyLimit)
        let envelope: DCIValue
        do {
            envelope = try DCIValue(parsing: buffer.readableBytesView)
            guard envelope.object != nil else { throw LumbungError(.jsonMalformed, rule: "not an object") }
        } catch {
            throw APIError(LumbungError(.jsonMalformed, rule: "the body is a DCI message: {\"signature\", \"header\", \"message\"} in JSON"))
        }
        guard let header = envelope["header"], header.object != nil, let message = envelope["message"], message.object != nil else {
            throw APIError(LumbungError(.requestInvalid, field: "header", rule: "a DCI message has a header object and a message object"))
        }
        let now = Date()
        let messageID = header["message_id"]?.string ?? ""
        let searches = message["search_request"]?.array ?? []

        func reply(status: String, reason: (String, String)? = nil, message: JSONValue?) -> Response {
            var fields: [(String, JSONValue)] = [
                ("version", .string("1.0.0")), ("message_id", .string(String(messageID.prefix(99)))),
                ("message_ts", .time(Timestamp(now), .seconds)), ("action", .string("on-search")), ("status", .string(status)),
            ]
            if let reason { fields += [("status_reason_code", .string(reason.0)), ("status_reason_message", .string(reason.1))] }
            fields += [("total_count", .int(searches.count)), ("completed_count", .int(status == "succ" ? searches.count : 0))]
            if let sender = header["sender_id"]?.string { fields.append(("receiver_id", .string(String(sender.prefix(99))))) }
            fields += [("sender_id", .string("lumbung")), ("is_msg_encrypted", .bool(false))]
            var body: [(String, JSONValue)] = [("header", .object(fields))]
            if let message { body.append(("message", message)) }
            return JSONValue.object(body).response()
        }

        // The header.
        if let version = header["version"], version.string != "1.0.0" {
            return reply(status: "rjct", reason: ("rjct.version.invalid", "the version is 1.0.0"), message: nil)
        }
        guard !messageID.isEmpty, messageID.utf8.count <= 99 else {
            return reply(status: "rjct", reason: ("rjct.action.invalid", "header.message_id is a string of 1 to 99 characters"), message: nil)
        }
        guard let ts = header["message_ts"]?.string, Timestamp(parsing: ts) != nil else {
            return reply(status: "rjct", reason: ("rjct.message_ts.invalid", "header.message_ts is an ISO 8601 date-time with its time zone"), message: nil)
        }
        guard header["action"]?.string == "search" else {
            return reply(status: "rjct", reason: ("rjct.action.invalid", "header.action is search"), message: nil)
        }
        if case .bool(true)? = header["is_msg_encrypted"] {
            return reply(status: "rjct", reason: ("rjct.action.not_supported", "encrypted messages are not supported; send the search in the clear over TLS"), message: nil)
        }
        guard message["search_request"]?.array != nil, !searches.isEmpty else {
            return reply(status: "rjct", reason: ("rjct.total_count.invalid", "message.search_request is a list of 1 or more searches"), message: nil)
        }
        guard searches.count <= Self.maxBatch else {
            return reply(status: "rjct", reason: ("rjct.total_count.limit_exceeded", "at most \(Self.maxBatch) searches per message"), message: nil)
        }
        if let total = header["total_count"], total.integer != searches.count {
            return reply(status: "rjct", reason: ("rjct.total_count.invalid", "header.total_count is the number of searches (\(searches.count))"), message: nil)
        }

        // Each search.
        var responses: [JSONValue] = []
        var seen: Set<String> = []
        for search in searches {
            let reference = search["reference_id"]?.string
            var fields: [(String, JSONValue)] = [
                ("reference_id", reference.map { .string(String($0.prefix(99))) } ?? .null),
                ("timestamp", .time(.now, .seconds)),
            ]
            if let locale = search["locale"]?.string, locale.utf8.count == 3 { fields.append(("locale", .string(locale))) }
            do throws(DCISearch.Rejection) {
                guard let reference, !reference.isEmpty, reference.utf8.count <= 99 else {
                    throw DCISearch.Rejection("rjct.reference_id.invalid", "reference_id is a string of 1 to 99 characters")
                }
                guard seen.insert(reference).inserted else {
                    throw DCISearch.Rejection("rjct.reference_id.duplicate", "reference_id \(reference) appears twice in this message")
                }
                guard let timestamp = search["timestamp"]?.string, Timestamp(parsing: timestamp) != nil else {
                    throw DCISearch.Rejection("rjct.timestamp.invalid", "timestamp is an ISO 8601 date-time with its time zone")
                }
                let criteria = try DCISearch.plan(search["search_criteria"])
                let page = criteria.page
                let (records, total) = try await run(criteria, token: token)
                fields += [
                    ("status", .string("succ")),
                    ("data", .object([("version", .string("1.0.0")), ("reg_records", records)])),
                    ("pagination", .object([("page_size", .int(page.size)), ("page_number", .int(page.number)), ("total_count", .int(total))])),
                ]
            } catch {
                fields += [("status", .string("rjct")), ("status_reason_code", .string(error.code)), ("status_reason_message", .string(error.message))]
            }
            responses.append(.object(fields))
        }
        let transaction = message["transaction_id"]?.string.map { String($0.prefix(99)) }
        return reply(status: "succ", message: .object([
            ("transaction_id", transaction.map { .string($0) } ?? .null),
            ("correlation_id", .string(context.access.requestID)),
            ("search_response", .array(responses)),
        ]))
    }

    /// One household found by a unique key: itself (`Group`) or a page of its members.
    private static func records(of found: Household?, _ criteria: DCISearch.Criteria) -> (JSONValue, Int) {
        guard let found else { return (.array([]), 0) }
        let page = criteria.page
        switch criteria.entity {
        case .group: return (DCIGroup.records(page.offset == 0 ? [found] : []), 1)
        case .member:
            let indices = found.members.indices.dropFirst(page.offset).prefix(page.size)
            return (DCIGroup.records(indices.map { HouseholdMember(household: found, index: $0) }), found.members.count)
        }
    }

    /// The records of one page and how many match in all, within the token's scope.
    private func run(_ criteria: DCISearch.Criteria, token: AccessToken) async throws(DCISearch.Rejection) -> (JSONValue, Int) {
        let page = criteria.page
        do {
            switch criteria.plan {
            case .nik(let nik):
                let found = try await api.gateway.lookup { tx in token.visible(try tx.household(nik: nik)) }
                guard let found, let index = found.members.firstIndex(where: { $0.nik.nik == nik }) else { return (.array([]), 0) }
                guard page.offset == 0 else { return (.array([]), 1) }
                let records = criteria.entity == .group
                    ? DCIGroup.records([found]) : DCIGroup.records([HouseholdMember(household: found, index: index)])
                return (records, 1)
            case .kk(let kk):
                return Self.records(of: try await api.gateway.lookup { tx in token.visible(try tx.household(kk: kk)) }, criteria)
            case .sourceID(let sourceID):
                return Self.records(of: try await api.gateway.lookup { tx in token.visible(try tx.household(sourceID: sourceID)) }, criteria)
            case .filter(let filter):
                let within = token.scope.wilayah, sort = criteria.sort
                switch criteria.entity {
                case .group:
                    let found = try await api.gateway.read { tx in
                        try tx.households(matching: filter, within: within, sortedBy: sort, offset: page.offset, limit: page.size)
                    }
                    return (DCIGroup.records(found.items), found.total.households)
                case .member:
                    let found = try await api.gateway.read { tx in
                        try tx.members(matching: filter, within: within, sortedBy: sort, offset: page.offset, limit: page.size)
                    }
                    return (DCIGroup.records(found.items), found.total.members)
                }
            }
        } catch let rejection as DCISearch.Rejection {
            throw rejection
        } catch let error as LumbungError {
            throw DCISearch.Rejection("rjct.search_criteria.invalid", error.message)
        } catch {
            throw DCISearch.Rejection("rjct.search_criteria.invalid", "the search failed")
        }
    }
}
