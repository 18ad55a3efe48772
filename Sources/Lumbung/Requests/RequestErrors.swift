/// The codes of the register's workflow (change requests), each declared once with its kind.
/// `RequestWorkflow` throws the transition codes; their field, value and rule name the state,
/// the role and what is missing.
extension LumbungError.Code {
    /// No request has this id, or the caller may not see it (one answer for both).
    public static let workflowNotFound = Self("workflow.notFound", .notFound)
    /// The action does not start from the request's state (`verify` on a `draft`).
    public static let workflowState = Self("workflow.state", .conflict)
    /// The caller's role may not take this action (a citizen approving).
    public static let workflowRole = Self("workflow.role", .forbidden)
    /// Only the request's proposer may take this action (withdraw).
    public static let workflowNotProposer = Self("workflow.notProposer", .forbidden)
    /// A desa proposal goes to `diajukan` only with a meeting reference (berita acara) or an SPTJM.
    public static let workflowMeetingRequired = Self("workflow.meetingRequired", .invalidInput)
    /// The request lacks the evidence its type requires.
    public static let workflowEvidenceRequired = Self("workflow.evidenceRequired", .invalidInput)
    /// A rejection (or a withdrawal) needs a reason.
    public static let workflowNoteRequired = Self("workflow.noteRequired", .invalidInput)
    /// The change does not fit its type or the household it names.
    public static let workflowInvalid = Self("workflow.invalid", .invalidInput)
    /// Another open request touches the same household or NIK, or a proposed NIK or KK belongs
    /// to another household.
    public static let workflowConflict = Self("workflow.conflict", .conflict)
    /// An approved request is not due yet: its period's cut-off has not passed.
    public static let workflowNotDue = Self("workflow.notDue", .conflict)
    /// A direct write (put, HTTP PUT/POST) tried to set a household's status, which follows requests only.
    public static let householdStatusLocked = Self("household.statusLocked", .invalidInput)
    /// A decree (SK) import names a household that is not there, outside its scope, or
    /// tidak_layak; or an SK already imported for the period (``DecreeImport``).
    public static let decreeInvalid = Self("decree.invalid", .invalidInput)
}
