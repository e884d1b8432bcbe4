import Foundation
import TestSupport
import Testing

/// Validates JSON documents against schema/ript.schema.json with the
/// `jsonschema` package (Debian's python3-jsonschema, Draft 2020-12), after
/// checking the schema itself against the draft's metaschema. Returns one
/// line per document: "ok" or its first errors.
func validateAgainstSchema(_ documents: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var paths: [String] = []
    for (index, document) in documents.enumerated() {
        let path = directory.appendingPathComponent("\(index).json").path
        try document.write(toFile: path, atomically: true, encoding: .utf8)
        paths.append(path)
    }
    let validator = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.absolute_path))
            # oneOf hides the reason: report the best match's own errors.
            best = jsonschema.exceptions.best_match(errors)
            print("ok" if not errors else "%s at %s" % (best.message[:300], "/".join(map(str, best.absolute_path))))
        """
    let result = try run(
        URL(fileURLWithPath: "/usr/bin/python3"),
        ["-c", validator, packageRoot.appendingPathComponent("schema/ript.schema.json").path] + paths)
    try #require(result.status == 0, "the validator failed (apt-get install python3-jsonschema): \(result.standardError)", sourceLocation: sourceLocation)
    return result.standardOutput.split(separator: "\n").map(String.init)
}

@Suite struct JSONSchemaTests {
    @Test("generate --format json output for every example, in each family, matches schema/ript.schema.json")
    func generateMatchesSchema() throws {
        var documents: [String] = []
        for family in ["both", "4", "6"] {
            let result = try ript("rules", "generate", "--format", "json", "--family", family, "examples/")
            try #require(result.status == 0, "\(result.standardError)")
            documents.append(result.standardOutput)
        }
        #expect(try validateAgainstSchema(documents) == ["ok", "ok", "ok"])
    }

    @Test("a rule file with warnings generates a document that matches the schema; the warnings are on standard error only")
    func warningsStayOutOfTheDocument() throws {
        let result = try ript("rules", "generate", "--format", "json", "examples/warnings/label-host-bits.swift")
        #expect(result.status == 0 && result.standardError.contains(": warning: "))
        #expect(!result.standardOutput.contains(": warning: "))
        #expect(try validateAgainstSchema([result.standardOutput]) == ["ok"])
    }

    @Test("the schema refuses documents that break it: a missing key, an unknown key, a wrong type, an unknown operation, a reject without rejectWith")
    func schemaCanFail() throws {
        let generated = try ript("rules", "generate", "--format", "json", "examples/reject.swift").standardOutput
        let plan = """
            {"schema": "ript.plan", "version": 2, "inSync": false, "applied": false,
             "summary": {"partitionsChanged": ["a"], "staleChainsRemoved": 0, "bootstrapChanges": 0},
             "findings": [], "raw": [],
             "tables": [{"family": "ipv4", "table": "filter", "operations": [{"op": "createChain", "chain": "a-a123456"}]}]}
            """
        let broken = [
            generated.replacingOccurrences(of: "\"bootstrap\"", with: "\"bootstrapping\""),
            generated.replacingOccurrences(of: "\"hash\"", with: "\"extra\": 1, \"hash\""),
            generated.replacingOccurrences(of: "\"line\": 4", with: "\"line\": \"4\""),
            generated.replacingOccurrences(of: "\"rejectWith\": \"icmp-port-unreachable\"", with: "\"comment\": \"no rejectWith\""),
            generated.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 3"),
            plan.replacingOccurrences(of: "createChain", with: "renameChain"),
            plan.replacingOccurrences(of: "\"applied\": false,", with: ""),
            plan.replacingOccurrences(of: "\"ipv4\"", with: "\"ipv5\""),
        ]
        #expect(broken.allSatisfy { $0 != generated && $0 != plan }, "a replacement above no longer matches; update the test")
        let verdicts = try validateAgainstSchema([generated, plan] + broken)
        #expect(verdicts.count == 2 + broken.count)
        #expect(Array(verdicts.prefix(2)) == ["ok", "ok"])
        for (index, verdict) in verdicts.dropFirst(2).enumerated() {
            #expect(verdict != "ok", "broken document \(index) was accepted")
        }
    }
}

private func object(_ text: String?) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data((text ?? "").utf8)) as? [String: Any])
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct MachineInterfaceTests {
    @Test("--format json of rules diff, clean diff, rules apply, clean apply and apply matches the schema and says what changed (unshare -n)")
    func planJSONMatchesSchema() throws {
        let result = try namespaceScript("""
            plain; foreign
            step() { name=$1; shift; echo "=== $name"; "$@"; echo "=== $name status"; echo "$?"; }
            set +e
            step diff-before $RIPT rules diff --format json "$WORK/rules"
            step rules-apply $RIPT rules apply --format json "$WORK/rules"
            step diff-after $RIPT rules diff --format json "$WORK/rules"
            # A hand edit in a ript chain, a changed partition and a removed one.
            iptables -A dnatbasic-fa2b97e -j ACCEPT
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"
            rm "$WORK/rules/drop.swift"
            step diff-changed $RIPT rules diff --format json "$WORK/rules"
            step clean-diff $RIPT clean diff --format json "$WORK/rules"
            step apply $RIPT apply --format json "$WORK/rules"
            rm "$WORK/rules/log.swift"
            step clean-apply $RIPT clean apply --format json "$WORK/rules"
            step clean-again $RIPT clean apply --format json "$WORK/rules"
            """)
        let output = sections(result.standardOutput)
        let names = ["diff-before", "rules-apply", "diff-after", "diff-changed", "clean-diff", "apply", "clean-apply", "clean-again"]
        for name in names {
            #expect(output["\(name) status"] == "0\n", "\(name): \(output["\(name) status"] ?? "no status")\n\(result.standardError)")
        }
        #expect(try validateAgainstSchema(names.map { output[$0] ?? "" }) == Array(repeating: "ok", count: names.count))

        let before = try object(output["diff-before"]), applied = try object(output["rules-apply"])
        let after = try object(output["diff-after"]), changed = try object(output["diff-changed"])
        let cleaned = try object(output["clean-apply"]), again = try object(output["clean-again"])
        let both = try object(output["apply"])
        #expect(before["applied"] as? Bool == false && before["inSync"] as? Bool == false)
        #expect(applied["applied"] as? Bool == true && applied["inSync"] as? Bool == false)
        // What the diff said is what the apply did.
        #expect(before["tables"] as? NSArray == applied["tables"] as? NSArray)
        #expect(after["inSync"] as? Bool == true)
        let summary = try #require(changed["summary"] as? [String: Any])
        // The hand-edited partition is repaired, the edited one replaced.
        #expect(summary["partitionsChanged"] as? [String] == ["dnatbasic", "dualstack"], "\(summary)")
        #expect((changed["findings"] as? [String] ?? []).contains { $0.contains("dnatbasic-fa2b97e") }, "\(changed)")
        let bothSummary = try #require(both["summary"] as? [String: Any])
        // drop.swift's partition (IPv4 only: 3 chains) and dualstack's old
        // version (3 chains in each family).
        #expect(bothSummary["staleChainsRemoved"] as? Int == 9, "\(bothSummary)")
        #expect(bothSummary["partitionsChanged"] as? [String] == ["dnatbasic", "dualstack"], "\(bothSummary)")
        // log.swift's partition, IPv4 only.
        #expect((cleaned["summary"] as? [String: Any])?["staleChainsRemoved"] as? Int == 3)
        #expect(again["inSync"] as? Bool == true && again["applied"] as? Bool == true)
    }

    @Test("--detailed-exit-codes: apply, rules apply and clean apply exit 1 when they changed something, 0 when not, 2 on error; plain apply exits 0 (unshare -n)")
    func detailedExitCodes() throws {
        let result = try namespaceScript("""
            plain
            set +e
            code() { "$@" > /dev/null 2>> "$WORK/errors"; echo "$*: $?" | sed "s|$RIPT|ript|; s|$WORK|W|g"; }
            code $RIPT rules apply --detailed-exit-codes "$WORK/rules"
            code $RIPT rules apply --detailed-exit-codes "$WORK/rules"
            code $RIPT rules diff --exit-code "$WORK/rules"
            rm "$WORK/rules/drop.swift"
            code $RIPT clean diff --exit-code "$WORK/rules"
            code $RIPT clean apply --detailed-exit-codes "$WORK/rules"
            code $RIPT clean apply --detailed-exit-codes "$WORK/rules"
            code $RIPT clean diff --exit-code "$WORK/rules"
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"
            code $RIPT apply --detailed-exit-codes "$WORK/rules"
            code $RIPT apply --detailed-exit-codes "$WORK/rules"
            sed -i 's/2022/2222/' "$WORK/rules/dual-stack.swift"
            code $RIPT apply "$WORK/rules"
            code $RIPT apply "$WORK/rules"
            echo 'Partition("broken") { Accept("x") }' > "$WORK/rules/zz-broken.swift"
            code $RIPT apply --detailed-exit-codes "$WORK/rules"
            code $RIPT rules diff --exit-code "$WORK/rules"
            code $RIPT apply --detailed-exit-codes --bogus "$WORK/rules"
            """)
        #expect(result.standardOutput == """
            ript rules apply --detailed-exit-codes W/rules: 1
            ript rules apply --detailed-exit-codes W/rules: 0
            ript rules diff --exit-code W/rules: 0
            ript clean diff --exit-code W/rules: 1
            ript clean apply --detailed-exit-codes W/rules: 1
            ript clean apply --detailed-exit-codes W/rules: 0
            ript clean diff --exit-code W/rules: 0
            ript apply --detailed-exit-codes W/rules: 1
            ript apply --detailed-exit-codes W/rules: 0
            ript apply W/rules: 0
            ript apply W/rules: 0
            ript apply --detailed-exit-codes W/rules: 2
            ript rules diff --exit-code W/rules: 2
            ript apply --detailed-exit-codes --bogus W/rules: 2

            """, "\(result.standardError)")
    }
}
