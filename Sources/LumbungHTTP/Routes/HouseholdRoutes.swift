import Foundation
import Hummingbird
import Lumbung

/// `/v1/persons/{nik}` and `/v1/households…`: look-ups, filtered pages, and writes, each limited
/// to the token's scope.
struct HouseholdRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>
    var gateway: StoreGateway { api.gateway }

    func add(to group: RouterGroup<Context>) {
        addReads(to: group)
        group.post("households", use: create)
        group.put("households/:id", use: replace)
        group.delete("households/:id", use: delete)
        group.post("households/:id/members/:nik/move", use: move)
    }

    /// The read routes; under `/v1/snapshots/:period` they read that snapshot.
    func addReads(to group: RouterGroup<Context>) {
        group.get("persons/:nik", use: person)
        group.get("households", use: list)
        group.get("households/:id", use: get)
    }

    /// The live store, or the snapshot the `period` path parameter names (400 for a name that
    /// is not one, such as `..`; 404 for one that does not exist).
    static func source(_ context: Context) throws -> ReadSource {
        guard let period = context.parameters.get("period") else { return .live }
        return .snapshot(try SnapshotRoutes<Context>.name(period))
    }

    // MARK: Reads

    /// The member with this NIK and their household.
    @Sendable func person(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(PersonLookup.role)
        _ = try RequestInput.query(request, allowed: [])
        let nik = try RequestInput.nik(try context.parameters.require("nik"))
        guard let body = try await gateway.lookup(try Self.source(context), { tx in try PersonLookup.body(nik, token: token, in: tx) }) else {
            throw ScopeRules.memberNotFound(nik)
        }
        return JSONBody.response(body)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        _ = try RequestInput.query(request, allowed: [])
        let id = try RequestInput.householdID(try context.parameters.require("id"))
        guard let household = try await gateway.lookup(try Self.source(context), { tx in token.visible(try tx.household(id: id)) }) else {
            throw ScopeRules.householdNotFound(id)
        }
        return JSONBody.response(HouseholdJSON.encode(household))
    }

    static var listParameters: Set<String> {
        ["kk", "source_id", "wilayah", "status", "program", "desil_min", "desil_max", "dukcapil", "cursor", "limit",
         "anggota", "ukuran_keluarga", "jk_kepala", "umur_kepala", "pkh_komponen", "tanggal"]
    }

    /// A page of households matching the filters inside the token's scope.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: Self.listParameters)
        let limit = try RequestInput.integer("limit", parameters["limit"], in: 1...api.configuration.maxPageSize) ?? api.configuration.defaultPageSize

        // A unique key finds at most one household; outside the scope it finds none, as if absent.
        for name in ["kk", "source_id"] {
            guard let text = parameters[name] else { continue }
            let others = parameters.keys.filter { $0 != name && $0 != "limit" }
            guard others.isEmpty else {
                throw APIError(LumbungError(.requestInvalid, field: name, rule: "\(name) finds one household; it does not combine with \(others.sorted().joined(separator: ", "))"))
            }
            let found: Household?
            if name == "kk" {
                let kk = try RequestInput.parse(name, text) { try NomorKK($0) }
                found = try await gateway.lookup(try Self.source(context)) { tx in token.visible(try tx.household(kk: kk)) }
            } else {
                let sourceID = try RequestInput.parse(name, text) { try SourceID($0, field: name) }
                found = try await gateway.lookup(try Self.source(context)) { tx in token.visible(try tx.household(sourceID: sourceID)) }
            }
            return Self.page(found.map { [$0] } ?? [], next: nil)
        }

        guard let query = try Self.query(parameters, token: token) else { return Self.page([], next: nil) }
        let cursor = parameters["cursor"]
        if let cursor, cursor.utf8.count > 512 {
            throw APIError(LumbungError(.cursorInvalid, field: "cursor", rule: "not a cursor this server returned"))
        }
        let found = try await gateway.read(try Self.source(context)) { [query] tx in
            do {
                return try tx.find(query, after: cursor, limit: limit)
            } catch let error as LumbungError where error.code == .cursorInvalid {
                var error = error
                error.field = "cursor"
                throw APIError(error)
            }
        }
        return Self.page(found.households, next: found.nextCursor, matching: MatchedMembersReport.applies(to: query) ? query : nil)
    }

    /// The filters of ``listParameters`` that select households (all but the look-ups by `kk`
    /// and `source_id` and the paging): what an export of a selection takes too.
    static var filterParameters: Set<String> { listParameters.subtracting(["kk", "source_id", "cursor", "limit"]) }

    /// The query the ``filterParameters`` in `parameters` ask for, narrowed to the token's scope
    /// (each bad value 400 naming its parameter); nil when the `wilayah` asked for lies outside
    /// the scope, so there is nothing to see.
    static func query(_ parameters: [String: String], token: AccessToken) throws -> HouseholdQuery? {
        var query = HouseholdQuery()
        let requested = try parameters["wilayah"].map { text in try RequestInput.parse("wilayah", text) { try KodeWilayah($0) } }
        switch token.scope.narrow(requested) {
        case .disjoint: return nil
        case .within(let wilayah): query.wilayah = wilayah
        }
        query.status = try parameters["status"].map { text in try RequestInput.parse("status", text) { try HouseholdQuery.StatusFilter(parsing: $0) } }
        query.program = try parameters["program"].map { text in try RequestInput.parse("program", text) { try Program(parsing: $0) } }
        query.dukcapil = try parameters["dukcapil"].map { text in try RequestInput.parse("dukcapil", text) { try DukcapilFilter(parsing: $0, field: "dukcapil") } }
        if let text = parameters["anggota"] { query.members += try MemberCount.list(parsing: text, field: "anggota") }
        if let text = parameters["ukuran_keluarga"] { query.members.append(try .householdSize(parsing: text, field: "ukuran_keluarga")) }
        if parameters["jk_kepala"] != nil || parameters["umur_kepala"] != nil {
            query.members.append(try .head(sex: parameters["jk_kepala"], age: parameters["umur_kepala"], fields: ("jk_kepala", "umur_kepala")))
        }
        if let text = parameters["pkh_komponen"] {
            query.members.append(.pkh(try PKHComponent(parsing: text, field: "pkh_komponen", code: .queryInvalid)))
        }
        query.referenceDate = try parameters["tanggal"].map { text in try RequestInput.parse("tanggal", text) { try CalendarDate(parsing: $0) } }
        query.pinReferenceDate()
        let low = try RequestInput.integer("desil_min", parameters["desil_min"], in: 1...10)
        let high = try RequestInput.integer("desil_max", parameters["desil_max"], in: 1...10)
        if low != nil || high != nil {
            let range = (low ?? 1, high ?? 10)
            guard range.0 <= range.1 else {
                throw APIError(LumbungError(.queryInvalid, field: "desil_min", value: "\(range.0)-\(range.1)", rule: "desil_min must not exceed desil_max"))
            }
            query.desil = range.0...range.1
        }
        return query
    }

    /// `{"households": […], "next_cursor": …}`; with a query that picks members, also
    /// `"anggota_cocok": [{"id", "anggota": [{"posisi", "nik", "hubungan"}, …]}, …]`, one entry
    /// per household in the same order.
    static func page(_ households: [Household], next: String?, matching query: HouseholdQuery? = nil) -> Response {
        var fields: [(String, JSONValue)] = [("households", .array(households.map { .raw(HouseholdJSON.encode($0)) }))]
        if let query {
            fields.append((MatchedMembersReport.field, .array(households.map { household in
                .object([("id", .int(Int(household.id?.rawValue ?? 0))), ("anggota", MatchedMembersReport.json(household, for: query) ?? .array([]))])
            })))
        }
        fields.append(("next_cursor", next.map { .string($0) } ?? .null))
        return JSONValue.object(fields).response()
    }

    // MARK: Writes

    /// Inserts a household (its body has no id).
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.operator)
        _ = try RequestInput.query(request, allowed: [])
        let household = try await RequestInput.household(request, limit: api.configuration.bodyLimit)
        guard household.id == nil else {
            throw APIError(LumbungError(.householdInvalid, field: "id", value: household.id?.description, rule: "a new household has no id; PUT /v1/households/{id} replaces one"))
        }
        try token.requireWritable(household.wilayah)
        let stored = try await api.scopedWrite(context.access, token: token) { tx in
            let id = try tx.put(household, status: .direct).id
            return try tx.household(id: id)!
        }
        var headers = HTTPFields()
        // The request's own path, so it is right wherever the routes are mounted.
        headers[.location] = "\(request.uri.path)/\(stored.id!)"
        return JSONBody.response(HouseholdJSON.encode(stored), status: .created, headers: headers)
    }

    /// Replaces a household; both its old and new wilayah must be in scope.
    @Sendable func replace(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.operator)
        _ = try RequestInput.query(request, allowed: [])
        let id = try RequestInput.householdID(try context.parameters.require("id"))
        var household = try await RequestInput.household(request, limit: api.configuration.bodyLimit)
        if let bodyID = household.id, bodyID != id {
            throw APIError(LumbungError(.householdInvalid, field: "id", value: bodyID.description, rule: "the body's id differs from the path's \(id)"))
        }
        household.id = id
        let (stored, outcome) = try await api.scopedWrite(context.access, token: token) { [household] tx in
            // Out of scope reads as absent first; only then is moving it out of scope refused.
            guard token.visible(try tx.household(id: id)) != nil else { throw ScopeRules.householdNotFound(id) }
            try token.requireWritable(household.wilayah)
            let outcome = try tx.put(household, status: .direct).outcome
            return (try tx.household(id: id)!, outcome)
        }
        var headers = HTTPFields()
        headers[outcomeField] = outcome == .unchanged ? "unchanged" : "updated"
        return JSONBody.response(HouseholdJSON.encode(stored), headers: headers)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.operator)
        _ = try RequestInput.query(request, allowed: [])
        let id = try RequestInput.householdID(try context.parameters.require("id"))
        try await api.scopedWrite(context.access, token: token) { tx in
            guard token.visible(try tx.household(id: id)) != nil else { throw ScopeRules.householdNotFound(id) }
            _ = try tx.delete(id: id)
        }
        return Response(status: .noContent)
    }

    /// What `POST …/members/{nik}/move` takes.
    struct MoveBody: Decodable {
        /// The household the member moves into.
        let tujuan: UInt64
        /// The member's new relation to that household's head (`hubungan` names), if it changes.
        let hubungan: String?
    }

    /// Moves a member of household `id` into the household the body names; both in scope.
    @Sendable func move(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.operator)
        _ = try RequestInput.query(request, allowed: [])
        let sourceID = try RequestInput.householdID(try context.parameters.require("id"))
        let nik = try RequestInput.nik(try context.parameters.require("nik"))
        let buffer = try await RequestInput.body(request, limit: api.configuration.bodyLimit)
        let body: MoveBody
        do {
            body = try JSONDecoder().decode(MoveBody.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(LumbungError(.jsonMalformed, rule: #"the body is {"tujuan": <household id>, "hubungan": <relation, optional>}"#))
        }
        guard body.tujuan > 0 else {
            throw APIError(LumbungError(.householdInvalid, field: "tujuan", value: String(body.tujuan), rule: HouseholdID.rule))
        }
        let targetID = HouseholdID(rawValue: body.tujuan)
        let relation = try body.hubungan.map { try Relation(parsing: $0, field: "hubungan", code: .memberInvalid) }
        let (source, target) = try await api.scopedWrite(context.access, token: token) { tx in
            guard let source = token.visible(try tx.household(id: sourceID)) else { throw ScopeRules.householdNotFound(sourceID) }
            guard source.members.contains(where: { $0.nik.nik == nik }) else { throw ScopeRules.memberNotFound(nik) }
            guard token.visible(try tx.household(id: targetID)) != nil else { throw ScopeRules.householdNotFound(targetID, field: "tujuan") }
            try tx.moveMember(nik: nik, to: targetID, relation: relation)
            return (try tx.household(id: sourceID)!, try tx.household(id: targetID)!)
        }
        return JSONValue.object([("from", .raw(HouseholdJSON.encode(source))), ("to", .raw(HouseholdJSON.encode(target)))]).response()
    }
}
