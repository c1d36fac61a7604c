/// A stable, machine-readable problem code such as `NOT_ELF` or `INIT_TIMEOUT`.
///
/// Codes are part of the product contract: scripts match on them, so a code's spelling and
/// meaning never change once shipped. New codes may be added at any time, which is why this is
/// a struct wrapping a string rather than a closed enum (the swift-nio `FileSystemError.Code`
/// pattern). Every code is listed in ``ProblemCode/all`` with its one-line meaning; the README's
/// error-code table is checked against that list by a test.
public struct ProblemCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

extension ProblemCode {
    // MARK: Discovery (the file system)

    /// A plugin directory given on the command line or in PLUGIN_HOST_PATH does not exist.
    public static let directoryNotFound = ProblemCode(rawValue: "DIRECTORY_NOT_FOUND")
    /// A directory could not be listed (permission denied or an I/O error).
    public static let directoryUnreadable = ProblemCode(rawValue: "DIRECTORY_UNREADABLE")
    /// Recursion stopped at the configured depth; deeper files were not scanned.
    public static let depthLimit = ProblemCode(rawValue: "DEPTH_LIMIT")
    /// A symbolic link points back into itself or into a directory already being walked.
    public static let symlinkLoop = ProblemCode(rawValue: "SYMLINK_LOOP")
    /// A matched path is a FIFO, socket, device or directory rather than a regular file.
    public static let notRegularFile = ProblemCode(rawValue: "NOT_REGULAR_FILE")
    /// A matched file could not be opened or read.
    public static let fileUnreadable = ProblemCode(rawValue: "FILE_UNREADABLE")
    /// The same file (device and inode) was reached through a second path.
    public static let duplicateFile = ProblemCode(rawValue: "DUPLICATE_FILE")
    /// The file or its directory is writable by others or owned by another non-root user.
    public static let unsafePermissions = ProblemCode(rawValue: "UNSAFE_PERMISSIONS")

    // MARK: The ELF file

    /// The file is not an ELF object (wrong magic, or shorter than an ELF header).
    public static let notELF = ProblemCode(rawValue: "NOT_ELF")
    /// The ELF file's headers point outside the file or are inconsistent (e.g. truncated).
    public static let elfMalformed = ProblemCode(rawValue: "ELF_MALFORMED")
    /// The ELF file is for another machine, word size or byte order than this host.
    public static let wrongArch = ProblemCode(rawValue: "WRONG_ARCH")
    /// The ELF file is an executable or object file, not a shared library.
    public static let notSharedLibrary = ProblemCode(rawValue: "NOT_SHARED_LIBRARY")

    // MARK: Metadata

    /// Neither an embedded metadata note nor a `<file>.plugin.json` sidecar was found.
    public static let noMetadata = ProblemCode(rawValue: "NO_METADATA")
    /// The metadata is larger than the host accepts.
    public static let metadataTooLarge = ProblemCode(rawValue: "METADATA_TOO_LARGE")
    /// The metadata is not valid UTF-8 JSON.
    public static let metadataNotJSON = ProblemCode(rawValue: "METADATA_NOT_JSON")
    /// The embedded note and the `<file>.plugin.json` sidecar hold different metadata; the note is used.
    public static let metadataSourcesDiffer = ProblemCode(rawValue: "METADATA_SOURCES_DIFFER")
    /// A required metadata field is absent.
    public static let metaMissingField = ProblemCode(rawValue: "META_MISSING_FIELD")
    /// A metadata key is not part of the manifest format (error in strict mode, warning in loose).
    public static let metaUnknownKey = ProblemCode(rawValue: "META_UNKNOWN_KEY")
    /// A metadata key appears twice in the same JSON object.
    public static let metaDuplicateKey = ProblemCode(rawValue: "META_DUPLICATE_KEY")
    /// A metadata field has the wrong JSON type or an empty value.
    public static let metaBadValue = ProblemCode(rawValue: "META_BAD_VALUE")
    /// A version is not semantic versioning 2.0 (MAJOR.MINOR.PATCH).
    public static let metaBadSemver = ProblemCode(rawValue: "META_BAD_SEMVER")
    /// A dependency range is not one of the supported forms (`^`, `~`, `>=`, `<`, exact, …).
    public static let metaBadRange = ProblemCode(rawValue: "META_BAD_RANGE")
    /// The plugin id is not reverse-DNS (e.g. `org.example.math`).
    public static let metaBadID = ProblemCode(rawValue: "META_BAD_ID")
    /// A node type name is not lowercase ASCII `^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$`.
    public static let metaBadNodeType = ProblemCode(rawValue: "META_BAD_NODE_TYPE")
    /// A node's parameter schema uses a keyword outside the supported subset, or is malformed.
    public static let metaBadSchema = ProblemCode(rawValue: "META_BAD_SCHEMA")
    /// A function node's `signature` cannot be parsed or uses an unsupported type, or its
    /// `params` do not match the signature's arguments.
    public static let metaBadSignature = ProblemCode(rawValue: "META_BAD_SIGNATURE")
    /// Two nodes (in one plugin or across plugins) declare the same node type.
    public static let duplicateNodeType = ProblemCode(rawValue: "DUPLICATE_NODE_TYPE")
    /// Two plugin files declare the same plugin id.
    public static let duplicatePluginID = ProblemCode(rawValue: "DUPLICATE_PLUGIN_ID")
    /// The plugin's ABI version is not compatible with this host (major must match, minor ≤ host).
    public static let abiIncompatible = ProblemCode(rawValue: "ABI_INCOMPATIBLE")

    // MARK: Loading

    /// The library does not export `ph_plugin_entry`.
    public static let entryMissing = ProblemCode(rawValue: "ENTRY_MISSING")
    /// `ph_plugin_entry` returned NULL, a too-small struct or a NULL callback.
    public static let entryInvalid = ProblemCode(rawValue: "ENTRY_INVALID")
    /// `dlopen` failed; the message carries `dlerror()`'s text.
    public static let loadFailed = ProblemCode(rawValue: "LOAD_FAILED")
    /// The file at a plugin's path is not the one the scan checked (replaced, rewritten, or
    /// reached through a directory swapped for a symbolic link since): nothing was loaded.
    public static let pluginChanged = ProblemCode(rawValue: "PLUGIN_CHANGED")
    /// The metadata returned by the loaded plugin differs from the metadata scanned from its file.
    public static let metadataMismatch = ProblemCode(rawValue: "METADATA_MISMATCH")
    /// A function node's `symbol` is not exported by its library (checked when it is loaded).
    public static let symbolMissing = ProblemCode(rawValue: "SYMBOL_MISSING")
    /// The plugin's `init` returned a non-zero status; the message carries what it gave
    /// through `set_init_error`.
    public static let initFailed = ProblemCode(rawValue: "INIT_FAILED")

    // MARK: Execution (codes carried in node results)

    /// No loaded plugin provides the requested node type.
    public static let nodeTypeNotFound = ProblemCode(rawValue: "NODE_TYPE_NOT_FOUND")
    /// The node's parameters do not satisfy its schema (checked before any plugin code runs).
    public static let validationFailed = ProblemCode(rawValue: "VALIDATION_FAILED")
    /// The plugin rejected its parameters or input (`PH_ERR_INVALID_PARAMETERS`).
    public static let invalidParameters = ProblemCode(rawValue: "INVALID_PARAMETERS")
    /// The node ran and failed, returned an unknown status, or returned output that is not JSON.
    public static let executionError = ProblemCode(rawValue: "EXECUTION_ERROR")
    /// The plugin reported a passing failure worth retrying (`PH_ERR_TRANSIENT`).
    public static let transientError = ProblemCode(rawValue: "TRANSIENT_ERROR")
    /// The attempt ran past its time limit, the plugin reported `PH_ERR_TIMEOUT`, or validating the
    /// parameters against the node's schema did not finish within its `timeoutMs`.
    public static let executionTimeout = ProblemCode(rawValue: "EXECUTION_TIMEOUT")
    /// A credential the node needs was not supplied (`PH_ERR_CREDENTIAL_MISSING`).
    public static let credentialMissing = ProblemCode(rawValue: "CREDENTIAL_MISSING")
    /// The plugin does not support what was asked (`PH_ERR_UNSUPPORTED`).
    public static let unsupported = ProblemCode(rawValue: "UNSUPPORTED")
    /// The plugin stopped because the host cancelled the call (`PH_ERR_CANCELLED`).
    public static let cancelled = ProblemCode(rawValue: "CANCELLED")
    /// The node's output is larger than the host's output size cap.
    public static let outputTooLarge = ProblemCode(rawValue: "OUTPUT_TOO_LARGE")
    /// An embedding API call got a bad argument (NULL handle, malformed JSON, wrong shape).
    public static let invalidArgument = ProblemCode(rawValue: "INVALID_ARGUMENT")

    // MARK: Isolation (worker processes)

    /// The worker process running the call died during it (a signal, `exit`, `abort`); the
    /// message names the signal or exit status and the plugin. Retryable.
    public static let executionCrashed = ProblemCode(rawValue: "EXECUTION_CRASHED")
    /// The call ran out of the memory or CPU time its tenant's `limits` allow its worker.
    public static let resourceExhausted = ProblemCode(rawValue: "RESOURCE_EXHAUSTED")
    /// Loading or initializing the plugin in a probe process crashed it; the host never ran
    /// that code itself. The plugin is quarantined.
    public static let probeCrashed = ProblemCode(rawValue: "PROBE_CRASHED")
    /// No worker process could be started (the worker executable is missing or cannot run).
    public static let workerUnavailable = ProblemCode(rawValue: "WORKER_UNAVAILABLE")

    // MARK: Dependencies and initialization

    /// A plugin depends on a plugin id that no loadable plugin provides.
    public static let dependencyMissing = ProblemCode(rawValue: "DEPENDENCY_MISSING")
    /// A plugin depends on a plugin whose version is outside the required range.
    public static let dependencyVersion = ProblemCode(rawValue: "DEPENDENCY_VERSION")
    /// Plugins depend on each other in a cycle; the message names the cycle as a path.
    public static let dependencyCycle = ProblemCode(rawValue: "DEPENDENCY_CYCLE")
    /// A plugin (or a node) was not loaded because a plugin it depends on failed.
    public static let dependencyNotLoaded = ProblemCode(rawValue: "DEPENDENCY_NOT_LOADED")
    /// The plugin's `init` did not return within the time limit; the plugin is quarantined.
    public static let initTimeout = ProblemCode(rawValue: "INIT_TIMEOUT")
    /// The plugin is quarantined from an earlier failed or hung `init` and the file has not changed.
    public static let quarantined = ProblemCode(rawValue: "QUARANTINED")
    /// `plugin-host quarantine clear` was asked to clear a plugin that is not quarantined.
    public static let notQuarantined = ProblemCode(rawValue: "NOT_QUARANTINED")
    /// The quarantine file has no location (neither XDG_CACHE_HOME nor HOME is an absolute
    /// path) or could not be written.
    public static let quarantineFileUnavailable = ProblemCode(rawValue: "QUARANTINE_FILE_UNAVAILABLE")

    // MARK: Tenants and policies

    /// A policy file is unreadable, not JSON, or breaks the policy format.
    public static let policyInvalid = ProblemCode(rawValue: "POLICY_INVALID")
    /// A policy is valid but has no effect as written (e.g. a restrict list beside an allow list).
    public static let policyIneffective = ProblemCode(rawValue: "POLICY_INEFFECTIVE")
    /// The policy document is larger than ``InputLimits/maximumPolicyBytes`` or has more
    /// tenants and patterns than ``InputLimits/maximumPolicyEntries``.
    public static let policyTooLarge = ProblemCode(rawValue: "POLICY_TOO_LARGE")
    /// The tenant is not in the policy file and there is no default policy.
    public static let tenantUnknown = ProblemCode(rawValue: "TENANT_UNKNOWN")
    /// The tenant's policy does not allow this node type.
    public static let nodeTypeDisabledForTenant = ProblemCode(rawValue: "NODE_TYPE_DISABLED_FOR_TENANT")
    /// Parameters name a different tenant than the caller's in a `filter` (strict data isolation).
    public static let tenantViolation = ProblemCode(rawValue: "TENANT_VIOLATION")
    /// The audit record for an execution could not be written durably.
    public static let auditFailed = ProblemCode(rawValue: "AUDIT_FAILED")

    // MARK: Recovery

    /// The node type's circuit breaker is open after repeated failures; the call failed fast.
    public static let circuitOpen = ProblemCode(rawValue: "CIRCUIT_OPEN")
    /// A retry policy or error strategy is malformed (e.g. backoffCoefficient below 1).
    public static let recoveryInvalid = ProblemCode(rawValue: "RECOVERY_INVALID")

    // MARK: Workflows

    /// The workflow file is not JSON or does not have the workflow shape.
    public static let workflowInvalid = ProblemCode(rawValue: "WORKFLOW_INVALID")
    /// Two workflow nodes share a name.
    public static let duplicateNodeName = ProblemCode(rawValue: "DUPLICATE_NODE_NAME")
    /// A connection names a node that is not in the workflow.
    public static let danglingConnection = ProblemCode(rawValue: "DANGLING_CONNECTION")
    /// The workflow's connections form a cycle; the message names it as a path.
    public static let workflowCycle = ProblemCode(rawValue: "WORKFLOW_CYCLE")
    /// A node's `typeVersion` is not in its node type's `supportedVersions`.
    public static let typeVersionUnsupported = ProblemCode(rawValue: "TYPE_VERSION_UNSUPPORTED")
    /// A `$ref` names a node that is not an ancestor of the node using it.
    public static let refNotUpstream = ProblemCode(rawValue: "REF_NOT_UPSTREAM")
    /// The workflow has more nodes or connections, or more bytes, than the host's
    /// ``InputLimits`` allow; nothing of it is validated or run.
    public static let workflowTooLarge = ProblemCode(rawValue: "WORKFLOW_TOO_LARGE")
    /// A node's `compensation` or the workflow's `settings.rollback` is malformed (not an object
    /// with a string `type`, an unknown member, a `rollback` other than automatic/manual/none),
    /// or a saved rollback plan given to `plugin-host rollback` is missing or unreadable.
    public static let compensationInvalid = ProblemCode(rawValue: "COMPENSATION_INVALID")
    /// A run's journal could not record its progress (a write failed): the run stops starting
    /// nodes, since what it did could no longer be resumed.
    public static let journalFailed = ProblemCode(rawValue: "JOURNAL_FAILED")
    /// A journal to resume from is unreadable, belongs to another workflow or version, or
    /// contradicts itself (a node finished before its parents).
    public static let journalInvalid = ProblemCode(rawValue: "JOURNAL_INVALID")

    // MARK: The service's store

    /// The tenant, workflow, version or execution asked for does not exist for this tenant
    /// (another tenant's is not found either: existence is not leaked).
    public static let notFound = ProblemCode(rawValue: "NOT_FOUND")
    /// An update named a version that is no longer the latest (optimistic concurrency).
    public static let versionConflict = ProblemCode(rawValue: "VERSION_CONFLICT")
    /// A tenant with that id exists already.
    public static let tenantExists = ProblemCode(rawValue: "TENANT_EXISTS")
    /// The database could not be opened, migrated, read or written.
    public static let storeUnavailable = ProblemCode(rawValue: "STORE_UNAVAILABLE")

    // MARK: The service's HTTP API

    /// A request without an API key, or with one no tenant has (401).
    public static let unauthenticated = ProblemCode(rawValue: "UNAUTHENTICATED")
    /// A request body larger than the server accepts (413).
    public static let payloadTooLarge = ProblemCode(rawValue: "PAYLOAD_TOO_LARGE")
    /// A request that is not well formed: a body that is not JSON, a bad query parameter or header (400).
    public static let invalidRequest = ProblemCode(rawValue: "INVALID_REQUEST")
    /// A request body that did not arrive within the server's time limit (408).
    public static let requestTimeout = ProblemCode(rawValue: "REQUEST_TIMEOUT")

    // MARK: Any JSON input

    /// A JSON document (workflow, policy, embedding argument) nests arrays and objects deeper
    /// than ``InputLimits/maximumJSONDepth``.
    public static let jsonTooDeep = ProblemCode(rawValue: "JSON_TOO_DEEP")
}

extension ProblemCode {
    /// Every code the host can report, with its one-line meaning, in documentation order.
    public static let all: [(code: ProblemCode, meaning: String)] = [
        (.directoryNotFound, "A plugin directory does not exist."),
        (.directoryUnreadable, "A plugin directory could not be listed."),
        (.depthLimit, "Recursion stopped at the depth limit; deeper files were not scanned."),
        (.symlinkLoop, "A symbolic link loops, or leads back into a directory being walked."),
        (.notRegularFile, "A matched path is a FIFO, socket, device or directory."),
        (.fileUnreadable, "A matched file could not be opened or read."),
        (.duplicateFile, "The same file was reached through a second path; only the first is used."),
        (.unsafePermissions, "The file or its directory is writable by others or owned by another user."),
        (.notELF, "The file is not an ELF object."),
        (.elfMalformed, "The ELF headers point outside the file or are inconsistent (truncated file), or the program headers or dynamic section give something the dynamic linker would map or follow outside the loadable segments."),
        (.wrongArch, "The ELF file is for another machine, word size or byte order."),
        (.notSharedLibrary, "The ELF file is an executable or object file, not a shared library."),
        (.noMetadata, "No embedded metadata note and no <file>.plugin.json sidecar."),
        (.metadataTooLarge, "The metadata exceeds the size cap."),
        (.metadataNotJSON, "The metadata is not valid UTF-8 JSON."),
        (.metadataSourcesDiffer, "The embedded note and the sidecar differ as JSON (the message names the first member that differs); the note is used (warning)."),
        (.metaMissingField, "A required metadata field is absent."),
        (.metaUnknownKey, "A metadata key is not part of the format (error strict, warning loose)."),
        (.metaDuplicateKey, "A key appears twice in one metadata JSON object."),
        (.metaBadValue, "A metadata field has the wrong type or an empty value."),
        (.metaBadSemver, "A version is not MAJOR.MINOR.PATCH semantic versioning."),
        (.metaBadRange, "A dependency range is not a supported form."),
        (.metaBadID, "The plugin id is not reverse-DNS."),
        (.metaBadNodeType, "A node type is not a canonical lowercase ASCII name."),
        (.metaBadSchema, "A parameter schema is malformed or uses an unsupported keyword."),
        (.metaBadSignature, "A function node's signature or params cannot be mapped to a C call."),
        (.duplicateNodeType, "Two nodes declare the same node type."),
        (.duplicatePluginID, "Two plugin files declare the same plugin id."),
        (.abiIncompatible, "The plugin's ABI version cannot load into this host."),
        (.entryMissing, "The library does not export ph_plugin_entry."),
        (.entryInvalid, "ph_plugin_entry returned NULL, a too-small struct or NULL callbacks."),
        (.loadFailed, "dlopen failed; the message carries dlerror()'s text."),
        (.pluginChanged, "The file changed between the scan and the load (replaced or rewritten); nothing was loaded: scan again."),
        (.metadataMismatch, "The loaded plugin's `metadata_json` differs from its file's note (the message gives both lengths and the first byte that differs; trailing whitespace does not count)."),
        (.symbolMissing, "A function node's symbol is not exported by its library."),
        (.initFailed, "The plugin's init returned an error; the message carries its reason."),
        (.nodeTypeNotFound, "No loaded plugin provides the node type."),
        (.validationFailed, "The parameters do not satisfy the node's schema."),
        (.invalidParameters, "The plugin rejected its parameters or input."),
        (.executionError, "The node failed, returned an unknown status, or returned output that is not JSON."),
        (.transientError, "The plugin reported a passing failure worth retrying."),
        (.executionTimeout, "The attempt ran past its time limit, or validating its parameters took the whole `timeoutMs` (the plugin was not called)."),
        (.credentialMissing, "A credential the node needs was not supplied."),
        (.unsupported, "The plugin does not support what was asked."),
        (.cancelled, "The plugin stopped because the host cancelled the call."),
        (.outputTooLarge, "The node's output exceeds the host's output size cap."),
        (.invalidArgument, "An embedding API call got a NULL handle, malformed JSON or a wrong shape; or a store call a malformed argument (a tenant id, a page cursor)."),
        (.executionCrashed, "The worker process died during the call (signal or exit named); retryable."),
        (.resourceExhausted, "The call exceeded its worker's memory or CPU-time limit."),
        (.probeCrashed, "Loading or initializing the plugin crashed its probe process; it is quarantined."),
        (.workerUnavailable, "No worker process could be started (plugin-host-worker missing or broken)."),
        (.dependencyMissing, "A required plugin id is not provided by any loadable plugin."),
        (.dependencyVersion, "A required plugin's version is outside the declared range."),
        (.dependencyCycle, "Plugins depend on each other in a cycle (named as a path)."),
        (.dependencyNotLoaded, "Not loaded because a plugin it depends on failed."),
        (.initTimeout, "init did not return in time; the plugin is quarantined."),
        (.quarantined, "Quarantined by an earlier failed, hung or crashed init; the file (and, for INIT_FAILED, the configuration) has not changed."),
        (.notQuarantined, "`quarantine clear` named a plugin id or file that is not quarantined."),
        (.quarantineFileUnavailable, "The quarantine file has no location (no absolute XDG_CACHE_HOME or HOME) or could not be written."),
        (.policyInvalid, "A policy file is unreadable, not JSON, or breaks the policy format."),
        (.policyIneffective, "A policy entry has no effect as written (warning)."),
        (.policyTooLarge, "The policy exceeds the byte or entry limit (HostConfiguration.limits)."),
        (.tenantUnknown, "The tenant is not in the policy file and there is no default policy."),
        (.nodeTypeDisabledForTenant, "The tenant's policy does not allow this node type."),
        (.tenantViolation, "Parameters name another tenant in a filter (strict data isolation)."),
        (.auditFailed, "The audit record could not be written durably."),
        (.circuitOpen, "The node type's circuit breaker is open; the call failed fast."),
        (.recoveryInvalid, "A retry policy or error strategy is malformed."),
        (.workflowInvalid, "The workflow is not JSON or does not have the workflow shape."),
        (.duplicateNodeName, "Two workflow nodes share a name."),
        (.danglingConnection, "A connection names a node that is not in the workflow."),
        (.workflowCycle, "The connections form a cycle (named as a path)."),
        (.typeVersionUnsupported, "A node's typeVersion is not one its node type supports."),
        (.refNotUpstream, "A $ref names a node that is not upstream of the node using it."),
        (.workflowTooLarge, "The workflow exceeds the node, connection or byte limit (HostConfiguration.limits)."),
        (.notFound, "The tenant, workflow, version or execution does not exist for this tenant."),
        (.versionConflict, "The update named a version that is no longer the latest."),
        (.tenantExists, "A tenant with that id exists already."),
        (.storeUnavailable, "The database could not be opened, migrated, read or written."),
        (.unauthenticated, "The request has no API key, or one no tenant has."),
        (.payloadTooLarge, "The request body is larger than the server accepts."),
        (.invalidRequest, "The request is not well formed: its body, a query parameter or a header."),
        (.requestTimeout, "The request body did not arrive within the server's time limit (serve --request-timeout)."),
        (.compensationInvalid, "A node's compensation, the workflow's settings.rollback or a saved rollback plan is malformed."),
        (.journalFailed, "The run's journal could not record its progress; the run stopped starting nodes."),
        (.journalInvalid, "The journal to resume from is unreadable, of another workflow or version, or inconsistent."),
        (.jsonTooDeep, "A JSON document nests deeper than the depth limit (HostConfiguration.limits)."),
    ]
}
