import Glibc
import PluginHostCore

/// Reads what the host needs from a plugin's shared library — its metadata note and whether it
/// exports `ph_plugin_entry` — by parsing the file, never by loading it.
///
/// Scanning must not run plugin code (a constructor could crash or hang the scan), so the
/// reader never calls `dlopen`, never maps the file and never executes any of it: it reads
/// bytes with `pread` and treats every one of them as hostile. What it checks, in order:
///
/// 1. The identification: the `\x7fELF` magic (else NOT_ELF), a 64-bit class, the host's byte
///    order and machine (else WRONG_ARCH, naming what the file was built for), and `ET_DYN`
///    (else NOT_SHARED_LIBRARY: an executable or object file cannot be a plugin).
/// 2. The header, section and program header tables: every offset and size is checked against
///    the real file size with overflow-checked arithmetic, and counts are capped, so a
///    truncated or forged file is ELF_MALFORMED — never a crash, a huge allocation or a loop.
/// 3. What the dynamic linker trusts at load (``ELFLoadLayout``): the PT_LOAD and PT_DYNAMIC
///    segments and every address and string offset in the dynamic section, so a file that
///    would crash or subvert `dlopen` is ELF_MALFORMED at scan, not a crash at load.
/// 4. The metadata note in the SHT_NOTE sections (or the PT_NOTE segments of a file without
///    section headers); its size is checked against ``maximumMetadataSize`` before it is read
///    (METADATA_TOO_LARGE).
/// 5. `ph_plugin_entry` in the dynamic symbol table, looked up through `.gnu.hash` or `.hash`
///    as the dynamic linker does (falling back to PT_DYNAMIC without section headers), so the
///    cost does not grow with the library's symbol count.
///
/// Cost: one `pread` of the first 4 KiB covers a small plugin's headers, notes and dynamic
/// symbols, and one of the last 4 KiB its section header table (one read in all for a file of
/// at most 8 KiB); anything further in a large library is fetched with small targeted reads. No Foundation, no per-section
/// allocations.
public enum ELFReader {
    /// Largest metadata note accepted (256 KiB); a larger one is METADATA_TOO_LARGE. It bounds
    /// what a scan of a hostile file can allocate, and is far above any real manifest.
    public static let maximumMetadataSize: Int = 256 * 1024

    /// The symbol every plugin exports (plugin.h).
    static let entrySymbol = "ph_plugin_entry"

    /// Inspects an already-open regular file of `fileSize` bytes (from `fstat`). `path` is used
    /// only in problem messages and as the problems' `file`.
    ///
    /// Fails with NOT_ELF, ELF_MALFORMED, WRONG_ARCH, NOT_SHARED_LIBRARY, METADATA_TOO_LARGE,
    /// or FILE_UNREADABLE (an I/O error, or the file shrinking while read).
    public static func inspect(fileDescriptor: Int32, fileSize: Int, path: String) -> Result<ELFInspection, Problem> {
        do throws(Problem) {
            return .success(try read(fileDescriptor: fileDescriptor, fileSize: fileSize, path: path))
        } catch {
            return .failure(error)
        }
    }

    /// Opens `path`, checks it is a regular file, and inspects it.
    ///
    /// The path is `stat`ed before it is opened, so a device node matched by a glob is never
    /// opened (opening some devices has side effects); it is opened with
    /// `O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY` and `fstat`ed again, so a FIFO swapped in
    /// between can never hang the scan. Non-regular files are NOT_REGULAR_FILE; files that cannot
    /// be opened are FILE_UNREADABLE. The corresponding C functions are `stat`, `open`, `fstat`.
    public static func inspect(path: String) -> Result<ELFInspection, Problem> {
        var status = stat()
        if stat(path, &status) != 0 {
            return .failure(unreadable(path, errno: errno))
        }
        if let kind = nonRegularKind(status.st_mode) {
            return .failure(notRegular(path, kind: kind))
        }
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return .failure(unreadable(path, errno: errno)) }
        defer { close(fd) }
        guard fstat(fd, &status) == 0 else { return .failure(unreadable(path, errno: errno)) }
        if let kind = nonRegularKind(status.st_mode) {
            return .failure(notRegular(path, kind: kind))
        }
        return inspect(fileDescriptor: fd, fileSize: Int(status.st_size), path: path)
    }

    /// The whole inspection, with typed throws inside so each step reads top to bottom.
    private static func read(fileDescriptor: Int32, fileSize: Int, path: String) throws(Problem) -> ELFInspection {
        let file = try ELFFileBytes(fileDescriptor: fileDescriptor, fileSize: fileSize, path: path)
        let header = try ELFHeader(file)
        let sections = try ELFSectionTable(file, header: header)
        let segments = try ELFSegmentTable(file, header: header)
        let dynamic = try ELFLoadLayout.check(segments, file: file)
        let notes = ELFNoteScanner(file: file)
        let note: [UInt8]?
        let symbols: ELFDynamicSymbols?
        if sections.count > 0 {
            note = try notes.scan(sections)
            symbols = try ELFDynamicSymbols.fromSections(sections, file: file)
        } else {
            // No section headers (stripped with e.g. sstrip): read what the loader reads.
            note = try notes.scan(segments)
            symbols = try ELFDynamicSymbols.fromDynamicSection(dynamic, segments: segments, file: file)
        }
        let exports = try symbols.map { table throws(Problem) in
            try ELFSymbolLookup(file: file, table: table).exportsFunction(named: entrySymbol)
        } ?? false
        return ELFInspection(metadataNote: note, exportsPluginEntry: exports, machine: header.machine)
    }

    /// What a non-regular file is, for the message; nil for a regular file.
    private static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }

    private static func notRegular(_ path: String, kind: String) -> Problem {
        Problem(.notRegularFile, .error,
                "\(kind), not a regular file; only shared library files can be plugins, remove it from the plugin directory or narrow the file pattern",
                file: path)
    }

    private static func unreadable(_ path: String, errno code: Int32) -> Problem {
        let advice: String
        switch code {
        case ENOENT: advice = "it does not exist (or is a dangling symbolic link); fix the path"
        case EACCES, EPERM: advice = "permission denied; make it readable by the user running the host"
        default: advice = "check the file and the disk"
        }
        return Problem(.fileUnreadable, .error,
                       "could not open the file: \(String(cString: strerror(code))) (errno \(code)); \(advice)",
                       file: path)
    }
}
