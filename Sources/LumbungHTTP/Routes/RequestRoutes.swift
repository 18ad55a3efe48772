import Foundation
import Hummingbird
import Lumbung

/// `/v1/requests…`: the register's workflow (issue 14), thin over the core. Every route acts
/// as the token's ``RequestActor`` (its actor, role and scope) and the core decides what it may
/// see and do (``RequestWorkflow``, ``RequestActor/sees(_:)``): no route holds a role rule of
/// its own. A request the token may not see answers exactly as one that does not exist
/// (`workflow.notFound`, 404).
///
/// - `GET /v1/requests`: a page, filtered by `desa` (a kode wilayah), `state` (names, comma
///   separated, or `open`), `type`, `period` and `household`, with the `total`.
/// - `GET /v1/requests/{id}` (`?preview=true`: the households after the apply, and the diff).
/// - `POST /v1/requests` (`?draft=true` keeps it a draft): one submission, as `request submit`.
/// - `POST /v1/requests/{id}/submit|verify|approve|reject|withdraw|apply`, body
///   `{"catatan": …, "periode": …}` (both optional; a rejection needs `catatan`).
/// - `POST /v1/requests/batch/{action}`, body `{"desa": …, "catatan": …, "periode": …}`: every
///   request of the desa the action starts from, in one transaction (`request approve --desa`).
/// - `POST /v1/requests/{id}/attachments`, body `{"sha256": …, "jenis": …}`: evidence uploaded
///   by `POST /v1/evidence`.
struct RequestRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>
    var gateway: StoreGateway { api.gateway }

    /// The actions taken on one request by `POST /v1/requests/{id}/{action}` (`create` is
    /// `POST /v1/requests`).
    static var actions: [RequestAction] { RequestAction.allCases.filter { $0 != .create } }

    func add(to group: RouterGroup<Context>) {
        group.get("requests", use: list)
        group.post("requests", use: create)
        group.get("requests/:id", use: show)
        group.post("requests/:id/attachments", use: attach)
        for action in Self.actions {
            group.post("requests/:id/\(action.name)") { request, context in try await act(action, request, context) }
        }
        group.post("requests/batch/:action", use: batch)
    }

    /// The token as the core's actor: any authenticated role; the core decides the rest.
    static func actor(_ context: Context) throws -> RequestActor {
        RequestActor(token: try context.access.authenticated())
    }

    /// The request id in the path: a number that names no request is 404 like an absent one.
    static func requestID(_ context: Context) throws -> Lumbung.RequestID {
        let text = try context.parameters.require("id")
        guard text.utf8.count <= 20, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), !text.isEmpty else {
            throw APIError(LumbungError(.requestInvalid, field: "id", value: String(text.prefix(32)), rule: "a request id is a positive integer"))
        }
        guard let id = Lumbung.RequestID(text) else { throw notFound(text) }
        return id
    }

    /// The one answer for a request that is absent or outside the token's sight.
    static func notFound(_ id: some CustomStringConvertible) -> LumbungError {
        LumbungError(.workflowNotFound, field: "id", value: String(id.description.prefix(32)), rule: "no request with this id in your scope")
    }

    // MARK: Reads

    static var listParameters: Set<String> { ["desa", "state", "type", "period", "household", "cursor", "limit"] }

    /// A page of the requests the token may see, in index order, with how many match in all.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let actor = try Self.actor(context)
        let parameters = try RequestInput.query(request, allowed: Self.listParameters)
        let limit = try RequestInput.integer("limit", parameters["limit"], in: 1...api.configuration.maxPageSize) ?? api.configuration.defaultPageSize
        var query = RequestQuery()
        query.wilayah = try parameters["desa"].map { text in try RequestInput.parse("desa", text) { try KodeWilayah($0) } }
        query.states = try parameters["state"].map { text in try RequestInput.parse("state", text, Self.states) } ?? []
        query.type = try parameters["type"].map { text in try RequestInput.parse("type", text) { try RequestType(parsing: $0, field: "type") } }
        query.period = try parameters["period"].map { text in try RequestInput.parse("period", text) { try Period(parsing: $0) } }
        query.householdID = try parameters["household"].map { text in
            guard let id = HouseholdID(text) else {
                throw APIError(LumbungError(.requestInvalid, field: "household", value: String(text.prefix(32)), rule: HouseholdID.rule))
            }
            return id
        }
        let cursor = parameters["cursor"]
        if let cursor, cursor.utf8.count > 1024 {
            throw APIError(LumbungError(.cursorInvalid, field: "cursor", rule: "not a cursor this server returned"))
        }
        let (page, total) = try await gateway.read { [query] tx in
            do {
                return (try tx.requests(query, for: actor, after: cursor, limit: limit), try tx.requestCount(query, for: actor))
            } catch var error as LumbungError where error.code == .cursorInvalid {
                error.field = "cursor"
                throw APIError(.badRequest, error)
            }
        }
        return JSONValue.object([
            ("requests", .array(page.requests.map { RequestJSON.value($0, for: actor) })),
            ("total", .int(total)),
            ("next_cursor", .optional(page.nextCursor)),
        ]).response()
    }

    /// `state=diajukan,diverifikasi`, or `open` for the open states.
    static func states(_ text: String) throws -> [RequestState] {
        try text.split(separator: ",", omittingEmptySubsequences: false).flatMap { name -> [RequestState] in
            name == "open" ? RequestQuery.openStates : [try RequestState(parsing: name, field: "state")]
        }
    }

    /// One request with its history; `?preview=true` adds the households after the apply and
    /// the diff (officials only: a citizen is refused by the core).
    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let actor = try Self.actor(context)
        let parameters = try RequestInput.query(request, allowed: ["preview"])
        let preview = try RequestInput.flag("preview", parameters["preview"]) ?? false
        let id = try Self.requestID(context)
        let (found, shown) = try await gateway.lookup { tx -> (ChangeRequest, RequestPreview?) in
            guard let found = try tx.request(id: id, for: actor) else { throw Self.notFound(id) }
            return (found, preview ? try tx.preview(id, for: actor) : nil)
        }
        return RequestJSON.value(found, for: actor, preview: shown).response()
    }

    // MARK: Writes

    /// Creates a request from one JSON submission (``RequestJSON/draft(_:)``) and submits it,
    /// unless `?draft=true`.
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authenticated()
        let actor = RequestActor(token: token)
        let parameters = try RequestInput.query(request, allowed: ["draft"])
        let keepDraft = try RequestInput.flag("draft", parameters["draft"]) ?? false
        let buffer = try await RequestInput.body(request, limit: api.configuration.bodyLimit)
        guard buffer.readableBytes > 0 else {
            throw APIError(LumbungError(.jsonMalformed, rule: "the body is empty; send one request as JSON"))
        }
        let draft = try RequestJSON.draft(buffer.readableBytesView)
        let created = try await api.scopedWrite(context.access, token: token) { tx in
            try tx.createRequest(draft, by: actor, submit: !keepDraft)
        }
        var headers = HTTPFields()
        headers[.location] = "\(request.uri.path)/\(created.id)"
        return RequestJSON.value(created, for: actor).response(status: .created, headers: headers)
    }

    /// What an action's body may hold: a note (a rejection's reason) and, for an apply, the
    /// period whose requests are due.
    struct ActionBody: Decodable {
        let catatan: String?
        let periode: String?
        /// The batch's wilayah.
        let desa: String?
    }

    static func actionBody(_ request: Request, limit: Int, batch: Bool) async throws -> (note: String, period: Period?, desa: KodeWilayah?) {
        let buffer = try await RequestInput.body(request, limit: limit)
        guard buffer.readableBytes > 0 else { return ("", nil, nil) }
        let data = Data(buffer.readableBytesView)
        let body: ActionBody
        do {
            body = try JSONDecoder().decode(ActionBody.self, from: data)
        } catch {
            let keys = batch ? #"{"desa": <kode wilayah>, "catatan": <text>, "periode": <YYYY-MM>}"# : #"{"catatan": <text>, "periode": <YYYY-MM>}"#
            throw APIError(LumbungError(.jsonMalformed, rule: "the body is \(keys), each optional"))
        }
        // A key the route does not take is refused, not ignored (a typo of `catatan` would lose the reason).
        let allowed: Set<String> = batch ? ["desa", "catatan", "periode"] : ["catatan", "periode"]
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(LumbungError(.requestInvalid, field: String(unknown.prefix(64)),
                                        rule: "the body takes " + allowed.sorted().joined(separator: ", ") + (unknown == "desa" ? "; a batch names its desa: POST /v1/requests/batch/{action}" : "")))
        }
        let period = try body.periode.map { text in try RequestInput.parse("periode", text) { try Period(parsing: $0) } }
        let desa = try body.desa.map { text in try RequestInput.parse("desa", text) { try KodeWilayah($0) } }
        return (body.catatan ?? "", period, desa)
    }

    /// Takes `action` on one request.
    func act(_ action: RequestAction, _ request: Request, _ context: Context) async throws -> Response {
        let token = try context.access.authenticated()
        let actor = RequestActor(token: token)
        _ = try RequestInput.query(request, allowed: [])
        let id = try Self.requestID(context)
        let (note, period, _) = try await Self.actionBody(request, limit: api.configuration.bodyLimit, batch: false)
        let done = try await api.scopedWrite(context.access, token: token) { tx in
            try tx.transition(id, action, by: actor, note: note, period: period)
        }
        return RequestJSON.value(done, for: actor).response()
    }

    /// Takes an action on every request of a desa (or of the token's whole scope) that the
    /// action starts from, in one transaction: all of them, or none.
    @Sendable func batch(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authenticated()
        let actor = RequestActor(token: token)
        _ = try RequestInput.query(request, allowed: [])
        let name = try context.parameters.require("action")
        guard let action = RequestAction(name: name), action != .create, action != .submit else {
            throw APIError(LumbungError(.requestInvalid, field: "action", value: String(name.prefix(32)),
                                        rule: "a batch action is one of " + Self.batchActions.map(\.name).joined(separator: ", ")))
        }
        let (note, period, desa) = try await Self.actionBody(request, limit: api.configuration.bodyLimit, batch: true)
        let done = try await api.scopedWrite(context.access, token: token) { tx in
            try tx.transition(in: desa, action, by: actor, note: note, period: period)
        }
        return JSONValue.object([
            ("count", .int(done.count)),
            ("requests", .array(done.map { RequestJSON.value($0, for: actor) })),
        ]).response()
    }

    /// The actions a batch takes (a submission is one proposer's, one request at a time).
    static var batchActions: [RequestAction] { actions.filter { $0 != .submit } }

    /// What `POST …/attachments` takes.
    struct AttachmentBody: Decodable {
        let sha256: String
        let jenis: String
    }

    /// Attaches evidence already uploaded (`POST /v1/evidence`) to a draft or submitted request;
    /// the evidence store keeps the file while the request references it.
    @Sendable func attach(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authenticated()
        let actor = RequestActor(token: token)
        _ = try RequestInput.query(request, allowed: [])
        let id = try Self.requestID(context)
        let buffer = try await RequestInput.body(request, limit: api.configuration.bodyLimit)
        let body: AttachmentBody
        do {
            body = try JSONDecoder().decode(AttachmentBody.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(LumbungError(.jsonMalformed, rule: #"the body is {"sha256": <64 hex digits>, "jenis": <evidence kind>}"#))
        }
        let digest = try RequestInput.parse("sha256", body.sha256) { try EvidenceDigest($0) }
        let kind = try EvidenceKind(parsing: body.jenis, field: "jenis")
        let evidence = gateway.store.evidence
        let done = try await api.scopedWrite(context.access, token: token) { tx in
            // An unseen request answers as absent before anything is said about the digest.
            guard try tx.request(id: id, for: actor) != nil else { throw Self.notFound(id) }
            guard let attachment = try evidence.attachment(digest) else {
                throw LumbungError(.evidenceNotFound, field: "sha256", value: digest.hex, rule: "no attachment with this digest is stored; upload it first (POST /v1/evidence)")
            }
            return try tx.attach(EvidenceReference(attachment, kind: kind), to: id, by: actor)
        }
        return RequestJSON.value(done, for: actor).response()
    }
}
