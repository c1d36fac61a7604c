import PluginHostCore
import PluginMetadata

/// Turns cache entries into JSON and back, field by field.
///
/// The cache file is an internal format (it carries a version and is rebuilt when it does not
/// decode), so decoding is all-or-nothing per entry: an entry with any missing or mistyped field
/// is dropped and that file is simply inspected again.
enum CacheCoding {
    // MARK: Entries

    static func encode(path: String, entry: ScanCache.Entry) -> JSONValue {
        var object: JSONObject = [
            "path": .string(path),
            "file": encode(entry.file),
            "sidecar": entry.sidecar.map(encode) ?? .null,
            "mode": .string(entry.mode.rawValue),
        ]
        let inspection = entry.inspection
        switch inspection.origin {
        case nil: object["origin"] = .null
        case .elfNote: object["origin"] = "elfNote"
        case .sidecar(let sidecar): object["origin"] = .object(["sidecar": .string(sidecar)])
        }
        if let raw = inspection.rawMetadata {
            if let text = String(validating: raw, as: UTF8.self) {
                object["rawMetadata"] = .string(text)
            } else {
                object["rawMetadataHex"] = .string(hex(raw))
            }
        }
        object["manifest"] = inspection.manifest.map(encode) ?? .null
        object["problems"] = .array(inspection.problems.map(encode))
        return .object(object)
    }

    static func decodeEntry(_ value: JSONValue) -> (path: String, entry: ScanCache.Entry)? {
        guard let path = value["path"]?.stringValue, let file = value["file"].flatMap(decodeStamp),
              let modeText = value["mode"]?.stringValue, let mode = ValidationMode(rawValue: modeText),
              let problemValues = value["problems"]?.arrayValue else { return nil }
        var sidecar: ContentStamp? = nil
        if let sidecarValue = value["sidecar"], sidecarValue != .null {
            guard let stamp = decodeStamp(sidecarValue) else { return nil }
            sidecar = stamp
        }
        var origin: MetadataOrigin? = nil
        switch value["origin"] {
        case nil, .null?: origin = nil
        case .string("elfNote")?: origin = .elfNote
        case let other?:
            guard let sidecarPath = other["sidecar"]?.stringValue else { return nil }
            origin = .sidecar(path: sidecarPath)
        }
        var raw: [UInt8]? = nil
        if let text = value["rawMetadata"]?.stringValue {
            raw = Array(text.utf8)
        } else if let text = value["rawMetadataHex"]?.stringValue {
            guard let bytes = unhex(text) else { return nil }
            raw = bytes
        }
        var manifest: PluginManifest? = nil
        if let manifestValue = value["manifest"], manifestValue != .null {
            guard let decoded = decodeManifest(manifestValue) else { return nil }
            manifest = decoded
        }
        var problems: [Problem] = []
        for problemValue in problemValues {
            guard let problem = decodeProblem(problemValue) else { return nil }
            problems.append(problem)
        }
        let inspection = PluginInspection(path: path, origin: origin, rawMetadata: raw, manifest: manifest, problems: problems)
        return (path, ScanCache.Entry(file: file, sidecar: sidecar, mode: mode, inspection: inspection))
    }

    // MARK: Stamps

    static func encode(_ stamp: ContentStamp) -> JSONValue {
        .array([.int(Int64(bitPattern: stamp.device)), .int(Int64(bitPattern: stamp.inode)),
                .int(stamp.size), .int(stamp.modificationTimeNanoseconds)])
    }

    static func decodeStamp(_ value: JSONValue) -> ContentStamp? {
        guard let parts = value.arrayValue, parts.count == 4,
              let device = parts[0].intValue, let inode = parts[1].intValue,
              let size = parts[2].intValue, let mtime = parts[3].intValue else { return nil }
        return ContentStamp(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode),
                            size: size, modificationTimeNanoseconds: mtime)
    }

    // MARK: Problems

    static func encode(_ problem: Problem) -> JSONValue {
        var object: JSONObject = [
            "code": .string(problem.code.rawValue),
            "severity": .string(problem.severity.rawValue),
            "message": .string(problem.message),
        ]
        if let file = problem.file { object["file"] = .string(file) }
        if let node = problem.node { object["node"] = .string(node) }
        return .object(object)
    }

    static func decodeProblem(_ value: JSONValue) -> Problem? {
        guard let code = value["code"]?.stringValue, let severityText = value["severity"]?.stringValue,
              let severity = Severity(rawValue: severityText), let message = value["message"]?.stringValue else { return nil }
        return Problem(ProblemCode(rawValue: code), severity, message,
                       file: value["file"]?.stringValue, node: value["node"]?.stringValue)
    }

    // MARK: Manifests

    static func encode(_ manifest: PluginManifest) -> JSONValue {
        var object: JSONObject = [
            "id": .string(manifest.id),
            "name": .string(manifest.name),
            "version": .string(manifest.version),
            "abi": .string(manifest.abi.description),
            "description": .string(manifest.description),
            "threadSafe": .bool(manifest.threadSafe),
            "dependencies": .array(manifest.dependencies.map {
                .object(["id": .string($0.pluginID), "range": .string($0.range)])
            }),
            "nodes": .array(manifest.nodes.map(encode)),
        ]
        if let author = manifest.author { object["author"] = .string(author) }
        if let license = manifest.license { object["license"] = .string(license) }
        return .object(object)
    }

    static func decodeManifest(_ value: JSONValue) -> PluginManifest? {
        guard let id = value["id"]?.stringValue, let name = value["name"]?.stringValue,
              let version = value["version"]?.stringValue,
              let abi = value["abi"]?.stringValue.flatMap({ ABIVersion($0) }),
              let description = value["description"]?.stringValue,
              let threadSafe = value["threadSafe"]?.boolValue,
              let dependencyValues = value["dependencies"]?.arrayValue,
              let nodeValues = value["nodes"]?.arrayValue else { return nil }
        var dependencies: [PluginDependency] = []
        for dependency in dependencyValues {
            guard let pluginID = dependency["id"]?.stringValue, let range = dependency["range"]?.stringValue else { return nil }
            dependencies.append(PluginDependency(pluginID: pluginID, range: range))
        }
        var nodes: [NodeDescriptor] = []
        for nodeValue in nodeValues {
            guard let node = decodeNode(nodeValue) else { return nil }
            nodes.append(node)
        }
        return PluginManifest(id: id, name: name, version: version, abi: abi,
                              author: value["author"]?.stringValue, license: value["license"]?.stringValue,
                              description: description, threadSafe: threadSafe,
                              dependencies: dependencies, nodes: nodes)
    }

    static func encode(_ node: NodeDescriptor) -> JSONValue {
        var object: JSONObject = [
            "nodeType": .string(node.nodeType),
            "version": .string(node.version),
            "category": .string(node.category),
            "description": .string(node.description),
            "requiredFields": .array(node.requiredFields.map { .string($0) }),
            "schema": node.schema ?? .null,
            "supportedVersions": .array(node.supportedVersions.map { .int(Int64($0)) }),
            "tags": .array(node.tags.map { .string($0) }),
            "experimental": .bool(node.experimental),
        ]
        if let icon = node.icon { object["icon"] = .string(icon) }
        return .object(object)
    }

    static func decodeNode(_ value: JSONValue) -> NodeDescriptor? {
        guard let nodeType = value["nodeType"]?.stringValue, let version = value["version"]?.stringValue,
              let category = value["category"]?.stringValue, let description = value["description"]?.stringValue,
              let required = value["requiredFields"]?.arrayValue, let supported = value["supportedVersions"]?.arrayValue,
              let tags = value["tags"]?.arrayValue, let experimental = value["experimental"]?.boolValue else { return nil }
        let requiredFields = required.compactMap(\.stringValue)
        let supportedVersions = supported.compactMap { $0.intValue.map { Int($0) } }
        let tagNames = tags.compactMap(\.stringValue)
        guard requiredFields.count == required.count, supportedVersions.count == supported.count,
              tagNames.count == tags.count else { return nil }
        var schema: JSONValue? = nil  // not `nil` in a ternary: JSONValue is ExpressibleByNilLiteral
        if let stored = value["schema"], stored != .null { schema = stored }
        return NodeDescriptor(nodeType: nodeType, version: version, category: category, description: description,
                              requiredFields: requiredFields, schema: schema, supportedVersions: supportedVersions,
                              tags: tagNames, icon: value["icon"]?.stringValue, experimental: experimental)
    }

    // MARK: Bytes that are not UTF-8

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
