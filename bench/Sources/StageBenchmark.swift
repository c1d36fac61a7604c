import Foundation
import PluginDiscovery
import PluginELF
import PluginHostCore
import PluginMetadata

/// Finer figures for the cold scan's stages, measured over the same generated files, so a
/// regression in one stage shows without a profiler: the ELF read (open, stat, read, note and
/// symbol lookup), the JSON parse of the metadata, and the strict validation (parse + checks).
/// Also the persisted cache's load, which a CLI warm scan pays on every run.
struct StageBenchmark {
    let paths: [String]

    func run(log: (String) -> Void) throws -> [Figure] {
        guard !paths.isEmpty else { throw BenchError("no plugin files to measure") }
        let count = Double(paths.count)

        log("stages: ELF read, JSON parse, strict validation…")
        var notes: [[UInt8]] = []
        notes.reserveCapacity(paths.count)
        var elfSamples: [Double] = []
        for round in 0..<5 {
            let start = WallClockNanos.now()
            for path in paths {
                guard case .success(let inspection) = ELFReader.inspect(path: path), let note = inspection.metadataNote else {
                    throw BenchError("ELF read failed: \(path)")
                }
                if round == 0 { notes.append(note) }
            }
            elfSamples.append(Double(WallClockNanos.now() - start) / 1000 / count)
        }
        notes = notes.map { note in
            var end = note.count
            while end > 0 && note[end - 1] == 0 { end -= 1 }
            return Array(note[..<end])
        }

        var parseSamples: [Double] = []
        for _ in 0..<5 {
            let start = WallClockNanos.now()
            for note in notes {
                guard (try? JSONParser.parseReportingDuplicates(note)) != nil else { throw BenchError("parse failed") }
            }
            parseSamples.append(Double(WallClockNanos.now() - start) / 1000 / count)
        }

        var validateSamples: [Double] = []
        for _ in 0..<5 {
            let start = WallClockNanos.now()
            for (index, note) in notes.enumerated() {
                let (manifest, problems) = ManifestValidator.validate(note, mode: .strict, file: paths[index])
                guard manifest != nil, problems.isEmpty else { throw BenchError("validation failed: \(problems)") }
            }
            validateSamples.append(Double(WallClockNanos.now() - start) / 1000 / count)
        }

        let elf = median(elfSamples), parse = median(parseSamples), validate = median(validateSamples)
        return [
            Figure(name: "stage.elf.read", value: elf, unit: "µs/plugin", goal: nil, meetsGoal: nil, peer: nil, peerValue: nil),
            Figure(name: "stage.json.parse", value: parse, unit: "µs/plugin", goal: nil, meetsGoal: nil, peer: nil, peerValue: nil),
            Figure(name: "stage.validate.strict", value: validate, unit: "µs/plugin", goal: nil, meetsGoal: nil,
                   peer: nil, peerValue: nil),
        ]
    }
}
