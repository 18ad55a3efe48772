/// Who acts on a request: the journaled name, the role and the scope (a token's, or the CLI's).
public struct RequestActor: Hashable, Sendable {
    public let actor: String
    public let role: AccessRole
    public let scope: AccessScope

    public init(actor: String, role: AccessRole, scope: AccessScope = .everything) {
        self.actor = actor
        self.role = role
        self.scope = scope
    }

    public init(token: AccessToken) { self.init(actor: token.actor, role: token.role, scope: token.scope) }

    /// Whether this actor may see `request`: a citizen only its own; others within their scope.
    public func sees(_ request: ChangeRequest) -> Bool {
        if role == .citizen { return request.proposer == actor && request.proposerRole == .citizen }
        return scope.permits(request.desa)
    }
}

/// The state machine of change requests, declared once: from which states each action starts,
/// where it leads, which roles may take it and what it needs. The checks, their error codes and
/// the README's table (``markdownTable``) all derive from ``steps``.
///
/// ```swift
/// let step = try RequestWorkflow.check(.verify, request, by: verifikator, note: "")
/// step.to    // .diverifikasi
/// ```
public enum RequestWorkflow {
    /// What a step needs besides its state and role.
    public enum Need: Sendable, Hashable, CaseIterable {
        /// A desa proposal needs a meeting reference (berita acara) or an SPTJM.
        case meetingReference
        /// The evidence the request's type requires (``RequestType/evidence``).
        case evidence
        /// A note saying why (a rejection's reason).
        case note
        /// Only the proposer (an admin too) may take it.
        case proposer

        public var name: String {
            switch self {
            case .meetingReference: "meeting reference (berita acara or SPTJM) for a desa proposal"
            case .evidence: "the evidence its type requires"
            case .note: "a note (the reason)"
            case .proposer: "the proposer (or an admin)"
            }
        }
    }

    /// What a step does to the household of a re-proposal or of a new household
    /// (``RequestType/showsProposalSteps``), in the same transaction, journaled with the
    /// request's name.
    public enum HouseholdEffect: Sendable, Hashable {
        case keep
        /// The household takes this status (the first time, a re-proposal's `tidak_layak`
        /// reason is kept in the request: ``ChangeRequest/priorReason``). A `baru` request
        /// stores its proposed household with this status the first time (a citizen's, only
        /// once it clashes with nothing: see ``WriteTransaction/transition(_:_:by:note:period:at:)``).
        case set(HouseholdStatus)
        /// As before the proposal, if a step had shown it: back to `tidak_layak` with the reason
        /// it had, or a `baru` household removed (its id is not reused).
        case restore
        /// The apply writes the type's ``RequestType/statusOnApply``.
        case onApply

        var summary: String {
            switch self {
            case .keep: "-"
            case .set(let status): "`\(status)`"
            case .restore: "as before: `tidak_layak` (its reason); a `baru` household removed"
            case .onApply: "the type's status on apply"
            }
        }
    }

    public struct Step: Sendable, Hashable {
        public let action: RequestAction
        public let from: [RequestState]
        public let to: RequestState
        public let roles: [AccessRole]
        public let needs: [Need]
        /// What it does to a re-proposal's or a new household: `usulan` → `terverifikasi` → `ditetapkan`.
        public var household: HouseholdEffect = .keep
    }

    /// The roles that propose (``RequestChannel/init(proposer:)``).
    static let proposers: [AccessRole] = [.desaOperator, .operator, .admin, .citizen]

    /// The table. `create` starts from no state (a new draft).
    public static let steps: [Step] = [
        Step(action: .create, from: [], to: .draft, roles: proposers, needs: []),
        Step(action: .submit, from: [.draft], to: .diajukan, roles: proposers, needs: [.proposer, .meetingReference, .evidence],
             household: .set(.usulan)),
        Step(action: .verify, from: [.diajukan], to: .diverifikasi, roles: [.verifikator, .admin], needs: [], household: .set(.terverifikasi)),
        Step(action: .approve, from: [.diverifikasi], to: .disetujui, roles: [.kepalaOPD, .admin], needs: []),
        Step(action: .apply, from: [.disetujui], to: .diterapkan, roles: [.kepalaOPD, .admin], needs: [], household: .onApply),
        Step(action: .reject, from: [.draft, .diajukan, .diverifikasi, .disetujui], to: .ditolak,
             roles: [.verifikator, .kepalaOPD, .admin], needs: [.note], household: .restore),
        Step(action: .withdraw, from: [.draft, .diajukan, .diverifikasi], to: .ditarik, roles: proposers, needs: [.proposer], household: .restore),
    ]

    public static func step(_ action: RequestAction) -> Step { steps.first { $0.action == action }! }

    /// The status an open request's steps have set on its household (``Step/household``): the
    /// last `.set` among the steps it took; nil for a type that shows no steps, a closed
    /// request, or a draft.
    public static func statusShown(by request: ChangeRequest) -> HouseholdStatus? {
        guard request.type.showsProposalSteps, request.state.isOpen else { return nil }
        var shown: HouseholdStatus?
        for transition in request.transitions {
            if case .set(let status) = step(transition.action).household { shown = status }
        }
        return shown
    }

    /// Refuses an evidence upload (`POST /v1/evidence`) by a role that proposes nothing:
    /// evidence is added by those who attach it to their proposals (`workflow.role`).
    public static func checkUpload(by actor: RequestActor) throws {
        let roles = step(.create).roles
        guard roles.contains(actor.role) else {
            throw LumbungError(.workflowRole, field: "role", value: actor.role.rawValue,
                               rule: "evidence is added by the roles that propose (" + roles.map(\.rawValue).joined(separator: ", ") + ")")
        }
    }

    /// Checks that `actor` may take `action` on `request` now, and returns the step.
    ///
    /// - Throws: `workflow.state` (the action does not start from the request's state),
    ///   `workflow.role`, `workflow.notProposer`, `workflow.meetingRequired`,
    ///   `workflow.evidenceRequired`, `workflow.noteRequired`: each names the state, the role and
    ///   what is missing.
    @discardableResult
    public static func check(_ action: RequestAction, _ request: ChangeRequest, by actor: RequestActor, note: String) throws -> Step {
        let step = step(action)
        let at = "request \(request.id) (\(request.type), state \(request.state), role \(actor.role))"
        if action != .create, !step.from.contains(request.state) {
            throw LumbungError(.workflowState, field: "state", value: request.state.name,
                               rule: "\(action) starts from \(step.from.map(\.name).joined(separator: " or ")); \(at) is \(request.state)")
        }
        guard step.roles.contains(actor.role) else {
            throw LumbungError(.workflowRole, field: "role", value: actor.role.rawValue,
                               rule: "\(action) from \(request.state) is for \(step.roles.map(\.rawValue).joined(separator: ", ")); \(at)")
        }
        if action == .create, actor.role == .citizen, !request.type.citizenMay {
            throw LumbungError(.workflowRole, field: "jenis", value: request.type.name,
                               rule: "a citizen submits only " + RequestType.allCases.filter(\.citizenMay).map(\.name).joined(separator: ", ") + "; \(at)")
        }
        for need in step.needs {
            switch need {
            case .proposer:
                if actor.role != .admin, actor.actor != request.proposer {
                    throw LumbungError(.workflowNotProposer, field: "actor", value: actor.actor,
                                       rule: "only the proposer (\(request.proposer)) or an admin may \(action) it; \(at)")
                }
            case .meetingReference:
                if request.channel == .desa, request.meeting == nil {
                    throw LumbungError(.workflowMeetingRequired, field: "berita_acara",
                                       rule: "a desa proposal needs a meeting reference (berita acara number and date) or an SPTJM before diajukan; missing in \(at)")
                }
            case .evidence:
                if let missing = request.type.evidence.missing(from: Set(request.evidence.map(\.kind))) {
                    throw LumbungError(.workflowEvidenceRequired, field: "bukti",
                                       value: request.evidence.map(\.kind.name).joined(separator: ","),
                                       rule: "\(request.type) needs \(request.type.evidence.summary); missing \(missing) in \(at)")
                }
            case .note:
                if note.trimmedWhitespace.isEmpty {
                    throw LumbungError(.workflowNoteRequired, field: "catatan",
                                       rule: "\(action) needs a reason; missing in \(at)")
                }
            }
        }
        return step
    }

    /// The table as Markdown (the README's copy is checked against it).
    public static var markdownTable: String {
        var lines = ["| action | from | to | roles | needs | a re-proposal's or new (`baru`) household |", "|---|---|---|---|---|---|"]
        for step in steps {
            let from = step.from.isEmpty ? "(new)" : step.from.map { "`\($0.name)`" }.joined(separator: ", ")
            let needs = step.needs.isEmpty ? "-" : step.needs.map(\.name).joined(separator: "; ")
            lines.append("| `\(step.action)` | \(from) | `\(step.to.name)` | \(step.roles.map { "`\($0.rawValue)`" }.joined(separator: ", ")) | \(needs) | \(step.household.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The per-type requirements as Markdown.
    public static var typeTable: String {
        var lines = ["| type | evidence | citizen may submit | status on apply |", "|---|---|---|---|"]
        for type in RequestType.allCases {
            let status: String = switch type.statusOnApply {
            case .keep: "-"
            case .set(let status): "`\(status)`"
            case .tidakLayak: "`tidak_layak` (its reason)"
            }
            lines.append("| `\(type.name)` | \(type.evidence.summary) | \(type.citizenMay ? "yes" : "no") | \(status) |")
        }
        return lines.joined(separator: "\n")
    }
}
