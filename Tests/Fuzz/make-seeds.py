#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into Tests/Fuzz/corpus/<target>/.

Run from anywhere (needs cc): python3 Tests/Fuzz/make-seeds.py. The seeds are committed; this
script is how they were made, so they can be regenerated when a format grows a field. Each corpus
reaches every field its parser reads: libFuzzer mutates from there.
"""
import json, os, pathlib, struct, subprocess, tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "Tests" / "Fuzz" / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def note_of(elf):
    """The plugin-host note's JSON from an ELF64 little-endian file (by section headers)."""
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names = sections[shstrndx]
    for s in sections:
        start = names[4] + s[0]
        name = elf[start:elf.index(b"\0", start)]
        if name == b".note.plugin_host":
            off = s[4]
            namesz, descsz, _ = struct.unpack_from("<III", elf, off)
            desc = off + 12 + ((namesz + 3) & ~3)
            return elf[desc:desc + descsz].rstrip(b"\0")
    return None


def elf_seeds():
    sources = {"template": ROOT / "sdk/template/plugin.c", "math": ROOT / "Plugins/math/math.c",
               "string": ROOT / "Plugins/string/string.c", "demo": ROOT / "Plugins/demo/demo.c"}
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in sources.items():
            out = pathlib.Path(tmp) / f"{name}.so"
            subprocess.run(["cc", "-shared", "-fPIC", "-Os", "-s", "-fvisibility=hidden", "-I", str(ROOT / "sdk/include"),
                            "-o", str(out), str(source)], check=True)
            elf = out.read_bytes()
            put("elf", f"{name}.so", elf)
            note = note_of(elf)
            if note:
                put("metadata", f"{name}.json", note)
                put("json", f"{name}-metadata.json", note)
            if name == "template":
                put("elf", "template-truncated.so", elf[:len(elf) // 2])
                put("elf", "template-header.so", elf[:64])
        # A library without the note and a non-library ELF object.
        empty = pathlib.Path(tmp) / "empty.c"
        empty.write_text("int f(void) { return 1; }\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-Os", "-s", "-o", f"{tmp}/plain.so", str(empty)], check=True)
        put("elf", "plain.so", pathlib.Path(f"{tmp}/plain.so").read_bytes())
        subprocess.run(["cc", "-c", "-Os", "-o", f"{tmp}/object.o", str(empty)], check=True)
        put("elf", "object.o", pathlib.Path(f"{tmp}/object.o").read_bytes())


def metadata_seeds():
    full = {
        "id": "org.example.full", "name": "Full", "version": "1.2.3-beta.1+build.5", "abi": "1.0",
        "author": "A. Author", "license": "MIT", "description": "Every field.", "threadSafe": True,
        "dependencies": {"org.example.string": "^1.0.0", "org.example.other": ">=1.0.0 <2.0.0", "org.example.t": "~1.2.0"},
        "nodes": [
            {"nodeType": "full.add", "version": "1.0.0", "category": "math", "description": "a + b",
             "requiredFields": ["a", "b"], "supportedVersions": [1, 2], "tags": ["math", "x"], "icon": "plus",
             "experimental": False,
             "schema": {"type": "object", "title": "t", "description": "d", "required": ["a", "b"],
                        "additionalProperties": False,
                        "properties": {"a": {"type": "number", "minimum": -5, "maximum": 5.5},
                                       "b": {"type": ["number", "null"], "default": 0},
                                       "s": {"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^[a-z]+(-[a-z]+)*$"},
                                       "e": {"enum": ["x", 1, None, True]}, "c": {"const": {"k": [1]}},
                                       "l": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3}}}},
            {"nodeType": "full.pow", "function": {"symbol": "pow", "signature": "double(double,double)", "params": ["base", "exp"]}},
            {"nodeType": "full.strlen", "function": {"symbol": "strlen", "signature": "size_t(const char*)", "params": ["s"]}},
        ],
    }
    put("metadata", "full.json", json.dumps(full, indent=1))
    put("metadata", "libm.plugin.json", (ROOT / "examples/libm/libm.plugin.json").read_bytes())
    loose = {"id": "org.example.loose", "version": "1", "abi": "9.9", "nodes": [{"nodeType": "Loose.Node"}], "extra": 1}
    put("metadata", "loose.json", json.dumps(loose))
    put("metadata", "duplicate-keys.json", '{"id":"a.b","id":"a.c","nodes":[{"nodeType":"a.x","nodeType":"a.y"}]}')


def json_seeds():
    put("json", "scalars.json", '[null,true,false,0,-0,1e308,-1.5e-300,12345678901234567890,"",'
        '"\\u0000\\ud83d\\ude00\\n\\t\\"\\\\\\/",{"":{}}]')
    put("json", "nested.json", "[" * 40 + "]" * 40)
    put("json", "keys-at-8-bytes.json", '{"1234567":1,"12345678":2,"123456789":3,"1234567\\u00e9":4,"é":5,"e\\u0301":6}')
    put("json", "duplicate.json", '{"a":1,"a":{"b":[1,2,{"b":3,"b":4}]}}')
    put("json", "utf8.json", '"\u00e9\u4e2d\U0001F600 plain ascii of more than sixteen bytes"'.encode())
    put("json", "numbers.json", "[1,-1,1.0,1e1,1E+1,1e-1,0.5,9223372036854775807,-9223372036854775808,9223372036854775808]")


def workflow_seeds():
    for path in (ROOT / "examples").glob("*.workflow.json"):
        put("workflow", path.name, path.read_bytes())
    full = {
        "name": "every-field",
        "settings": {"concurrency": 2, "onError": "continue", "timeoutMs": 1000,
                     "retry": {"maximumAttempts": 2, "initialIntervalMs": 1, "backoffCoefficient": 2, "maximumIntervalMs": 4}},
        "nodes": [
            {"name": "A", "type": "math.add", "typeVersion": 2, "parameters": {"a": 1, "b": 2}},
            {"name": "B", "type": "math.add", "parameters": {"a": {"$ref": "A#/result"}, "b": {"$ref": "A"}},
             "onError": "fallback", "fallbackNodeType": "math.add", "timeoutMs": 10, "retry": {"maximumAttempts": 1}},
            {"name": "C", "type": "string.upper", "parameters": {"text": "hello"}, "onError": "skip"},
            {"name": "D", "type": "demo.items", "parameters": {"items": [{"n": 1}, {"n": {"$ref": "B#/result"}}], "mode": "slow"}},
            {"name": "E", "type": "unknown.type", "parameters": {}},
        ],
        "connections": {
            "A": {"main": [[{"node": "B", "type": "main", "index": 0}, {"node": "D", "type": "main", "index": 0}]]},
            "B": {"main": [[{"node": "D", "type": "main", "index": 0}]]},
            "C": {"main": [[{"node": "E", "type": "main", "index": 0}]]},
        },
    }
    put("workflow", "every-field.workflow.json", json.dumps(full, indent=1))
    cycle = {"nodes": [{"name": "X", "type": "math.add", "parameters": {"a": 1, "b": {"$ref": "Y#/result"}}},
                       {"name": "Y", "type": "math.add", "parameters": {"a": 1, "b": 1}}],
             "connections": {"X": {"main": [[{"node": "Y", "type": "main", "index": 0}]]},
                             "Y": {"main": [[{"node": "X", "type": "main", "index": 0}]]},
                             "Z": {"main": [[{"node": "Q", "type": "main", "index": 0}]]}}}
    put("workflow", "cycle-and-dangling.workflow.json", json.dumps(cycle))


def policy_seeds():
    full = {
        "defaultPolicy": {"restrictedNodeTypes": ["http.*"], "isolation": "process"},
        "tenants": [
            {"tenantId": "acme", "allowedNodeTypes": ["math.*", "string.upper"], "restrictedNodeTypes": [],
             "dataIsolation": "strict", "auditLogging": True, "isolation": "inProcess",
             "limits": {"memoryMb": 256, "cpuSecondsPerCall": 2, "outputBytes": 1048576}},
            {"tenantId": "beta.team-2", "restrictedNodeTypes": ["demo.*", "math.div"], "dataIsolation": "none"},
            {"tenantId": "both", "allowedNodeTypes": ["a.*"], "restrictedNodeTypes": ["a.b"]},
        ],
        "auditLog": "audit.jsonl",
    }
    put("policy", "full.json", json.dumps(full, indent=1))
    put("policy", "bad.json", json.dumps({"tenants": [{"tenantId": "Bad Id!"}, {"tenantId": "acme"}, {"tenantId": "acme"}],
                                           "unknown": 1, "defaultPolicy": {"allowedNodeTypes": ["*", "math..add", "x.*.y"]}}))


def schema_seeds():
    pairs = [
        ({"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 9}},
          "additionalProperties": False}, {"a": 3}),
        ({"type": "object", "properties": {"s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^(a|b)+c?$"}}},
         {"s": "abc"}),
        ({"type": "object", "properties": {"p": {"type": "string", "pattern": "[\\d\\w\\s]{2,3}\\b.$|x*?y+?z??"}}}, {"p": "12 z"}),
        ({"type": "array", "items": {"type": "object", "properties": {"n": {"default": 5, "type": "number"}}},
          "minItems": 1, "maxItems": 2}, [{}]),
        ({"enum": [1, "one", None, {"x": [True]}]}, {"x": [True]}),
        ({"const": [1, 2.5, "é"]}, [1, 2.5, "e\u0301"]),
        ({"type": ["string", "null"], "title": "t", "description": "d"}, None),
        ({"type": "object", "additionalProperties": {"type": "boolean"}}, {"any": False, "other": 1}),
    ]
    for i, (schema, value) in enumerate(pairs):
        put("schema", f"pair-{i}.json", json.dumps([schema, value]))


if __name__ == "__main__":
    elf_seeds(); metadata_seeds(); json_seeds(); workflow_seeds(); policy_seeds(); schema_seeds()
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")
