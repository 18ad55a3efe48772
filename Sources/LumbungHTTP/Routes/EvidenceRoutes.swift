import Foundation
import Hummingbird
import Lumbung

/// `/v1/evidence`: attachments (JPEG, PNG, PDF) in and out, by their SHA-256.
///
/// - `POST /v1/evidence`: the body is the file, its `Content-Type` one of the evidence types
///   and the one its first bytes show (else 415, `evidence.mediaType`), at most the store's
///   evidence size limit (else 413, `evidence.tooLarge`, before a byte is read when
///   `Content-Length` says so). The body is streamed into the evidence store
///   (``EvidenceUpload``): memory is one chunk, never the file. Answers `{digest, media_type,
///   size}` (201). Roles that propose may upload (``RequestWorkflow/checkUpload(by:)``); the
///   file is kept once a request references it (`POST /v1/requests/{id}/attachments`).
/// - `GET /v1/evidence/{digest}`: the file with its media type, to a token that sees a request
///   referencing it (``ReadTransaction/visibleEvidence(_:for:)``); to any other, the same 404
///   as for a digest never stored.
struct EvidenceRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>
    var gateway: StoreGateway { api.gateway }

    func add(to group: RouterGroup<Context>) {
        group.post("evidence", use: upload)
        group.get("evidence/:digest", use: download)
    }

    /// One answer for a digest that is not stored, not referenced, or not the token's to see.
    static func notFound(_ digest: EvidenceDigest) -> LumbungError {
        LumbungError(.evidenceNotFound, field: "digest", value: digest.hex, rule: "no attachment with this digest in your scope")
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let actor = RequestActor(token: try context.access.authenticated())
        try RequestWorkflow.checkUpload(by: actor)
        _ = try RequestInput.query(request, allowed: [])
        let declared = request.headers[.contentType].map { $0.split(separator: ";").first.map(String.init) ?? "" }?.trimmingCharacters(in: .whitespaces)
        guard let declared, let type = EvidenceMediaType(mimeType: declared) else {
            throw LumbungError(.evidenceMediaType, field: "Content-Type", value: declared.map { String($0.prefix(80)) },
                               rule: "evidence is sent as " + EvidenceMediaType.allCases.map(\.mimeType).joined(separator: ", "))
        }
        let length = request.headers[.contentLength].flatMap { Int($0) }
        let upload = UploadBox(try gateway.store.evidence.upload(name: "upload", declared: type, length: length))
        for try await chunk in request.body {
            try chunk.withUnsafeReadableBytes { try upload.upload.write($0) }
        }
        // The sync and rename wait on the disk: off the event loop.
        let attachment = try await gateway.run { _ in try upload.upload.finish() }
        // No Location: the file is not readable at /v1/evidence/{digest} until a request the
        // caller sees references it.
        return attachment.json.response(status: .created)
    }

    @Sendable func download(_ request: Request, context: Context) async throws -> Response {
        let actor = RequestActor(token: try context.access.authenticated())
        _ = try RequestInput.query(request, allowed: [])
        let digest = try RequestInput.parse("digest", try context.parameters.require("digest")) { try EvidenceDigest($0) }
        guard let attachment = try await gateway.lookup({ tx in try tx.visibleEvidence(digest, for: actor) }) else {
            throw Self.notFound(digest)
        }
        let path = gateway.store.evidence.path(of: digest)
        guard FileManager.default.fileExists(atPath: path) else { throw Self.notFound(digest) }
        // Streamed from the file in chunks on NIO's thread pool.
        let body = try await FileIO().loadFile(path: path, context: context)
        var headers = HTTPFields()
        headers[.contentType] = attachment.mediaType.mimeType
        headers[.cacheControl] = "private, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// An upload handed to the read queue for its last step; one task uses it at a time.
private final class UploadBox: @unchecked Sendable {
    let upload: EvidenceUpload
    init(_ upload: EvidenceUpload) { self.upload = upload }
}
