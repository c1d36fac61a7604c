import PluginHostCore

/// Where audit records go: the seam between the execution pipeline and whatever keeps them.
///
/// The host writes a `started` record before any plugin code runs for an audited execution
/// and a `finished` record after it (`PluginHost+Audit.swift`); whether it may go on depends on
/// the answer, so a sink must say whether the record is kept, never drop one quietly. The file
/// log (``AuditLog``) is the sink the host opens by path; the service's SQLite and PostgreSQL
/// stores implement the same protocol (records in the tenant's own rows), and an embedder can
/// give one in ``HostConfiguration``'s `auditSink`.
public protocol AuditSink: Sendable {
    /// Keeps `record`, as durably as the sink promises, and returns nil; or returns the
    /// `AUDIT_FAILED` problem saying why it could not (the execution is then refused or fails).
    /// Called from any thread, concurrently.
    func append(_ record: AuditRecord) -> Problem?
}

extension AuditLog: AuditSink {}
