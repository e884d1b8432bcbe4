import Foundation
import TestSupport
import Testing

/// The unit, the packaging around it.
@Suite struct DistTests {
    @Test("systemd-analyze verify accepts dist/ript.service without a warning once its ExecStart binary exists; uninstalled, it only misses /usr/sbin/ript")
    func systemdAcceptsTheUnit() throws {
        let unit = try SystemdUnit()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The unit as installed, pointing at this build's binary (verify checks the file is executable).
        let copy = directory.appendingPathComponent("ript.service")
        try unit.text.replacingOccurrences(of: "/usr/sbin/ript ", with: riptBinary.path + " ").write(to: copy, atomically: true, encoding: .utf8)
        // --man=no: the man pages aren't installed here; the next test checks they exist.
        let verified = try runTool("systemd-analyze", ["verify", "--man=no", copy.path])
        #expect(verified.status == 0 && verified.standardError.isEmpty && verified.standardOutput.isEmpty,
                "systemd-analyze verify: \(verified.status)\n\(verified.standardError)\(verified.standardOutput)")

        // The unit itself: the same, apart from the missing binary on a machine without the package.
        let original = try runTool("systemd-analyze", ["verify", "--man=no", packageRoot.appendingPathComponent("dist/ript.service").path])
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/ript") {
            #expect(original.status == 0 && original.standardError.isEmpty, "\(original.standardError)")
        } else {
            let complaints = Set(original.standardError.split(separator: "\n").map(String.init))
            #expect(complaints == ["ript.service: Command /usr/sbin/ript is not executable: No such file or directory"], "\(original.standardError)")
        }
    }

    @Test("each man page dist/ript.service's Documentation= names is one the package ships in man/")
    func documentedPagesShip() throws {
        let pages = try SystemdUnit().words("Unit", "Documentation").filter { $0.hasPrefix("man:") }
        #expect(!pages.isEmpty)
        for page in pages {
            // man:ript(1) → man/ript.1
            let name = page.dropFirst("man:".count).replacingOccurrences(of: "(", with: ".").replacingOccurrences(of: ")", with: "")
            #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("man/\(name)").path), "\(page) is not in man/")
        }
    }

    @Test("the unit runs once at boot before network-pre.target, after the local file systems, stays active, and fails when ript fails")
    func unitIsAnEarlyOneshotThatFailsVisibly() throws {
        let unit = try SystemdUnit()
        #expect(unit.values("Unit", "DefaultDependencies") == ["no"])
        #expect(unit.words("Unit", "Before").contains("network-pre.target"))
        #expect(unit.words("Unit", "Wants").contains("network-pre.target"))
        #expect(unit.words("Unit", "After").contains("local-fs.target"))
        #expect(unit.values("Service", "Type") == ["oneshot"])
        #expect(unit.values("Service", "RemainAfterExit") == ["yes"])
        // A '-' prefix or SuccessExitStatus=2 would make a failed compile look like success.
        #expect(unit.values("Service", "SuccessExitStatus").isEmpty)
        _ = try unit.command("ExecStart")
        #expect(unit.words("Service", "CacheDirectory") == ["ript"])
        #expect(unit.words("Install", "WantedBy") == ["multi-user.target"])
        // The rules must reach the host's tables: no namespace of the unit's own.
        for key in ["PrivateNetwork", "PrivateUsers", "NetworkNamespacePath", "JoinsNamespaceOf"] {
            #expect(unit.values("Service", key).allSatisfy { $0 == "no" }, "\(key)= would move ript's rules out of the host's network namespace")
        }
    }

    @Test("the unit, and bench/kernel.sh for every ript it measures, set GLIBC_TUNABLES=glibc.malloc.hugetlb=1: malloc's huge pages are the operator's setting, not something ript does to itself")
    func unitAndBenchAskForHugePages() throws {
        let setting = "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"
        #expect(try SystemdUnit().values("Service", "Environment").contains(setting))
        let bench = try String(contentsOf: packageRoot.appendingPathComponent("bench/kernel.sh"), encoding: .utf8)
        let lines = bench.split(separator: "\n").map(String.init)
        // The bench runs ript through one shell function that sets the tunable, and never $RIPT directly.
        let function = "ript() { \(setting) \"$RIPT\" \"$@\"; }"
        #expect(lines.contains(function), "bench/kernel.sh should define \(function)")
        let direct = lines.filter { $0 != function && !$0.hasPrefix("#") && ($0.contains("$RIPT ") || $0.contains("\"$RIPT\"")) }
        #expect(direct.isEmpty, "bench/kernel.sh runs ript without the unit's tunable: \(direct)")
        #expect(lines.contains { $0.contains("ms ript rules apply") })
    }

    @Test("the unit's ExecStart, with only its capabilities, applies the examples in a fresh namespace (unshare -n) exactly as 'ript rules apply' does; ExecReload applies an edit, stale chains removed",
          .disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
    func execStartAppliesGoodRules() throws {
        let unit = try SystemdUnit()
        let start = try unit.command("ExecStart"), reload = try unit.command("ExecReload"), sandbox = try unit.sandbox()
        let result = try inFreshNetworkNamespace(namespaceLibrary + """
            rules
            \(sandbox) \(start) > "$WORK/started"
            save > "$WORK/saved"
            # Edited rules: one partition fewer. The reload removes its chains too.
            rm "$WORK/rules/basic.swift"
            \(sandbox) \(reload) > /dev/null
            $RIPT rules diff --exit-code "$WORK/rules" && $RIPT clean diff --exit-code "$WORK/rules"
            ! save | grep -q -- '^:basic-'
            # The same command without CAP_NET_ADMIN fails: the capabilities above are what it needs.
            if \(sandbox.replacingOccurrences(of: ",+net_admin", with: "")) \(start) 2> "$WORK/denied"; then exit 9; fi
            grep -q 'Operation not permitted\\|Permission denied' "$WORK/denied"
            cat "$WORK/saved"
            """)
        #expect(result.status == 0, "\(result.standardError)\n\(result.standardOutput)")
        let expected = try String(contentsOf: packageRoot.appendingPathComponent("examples/all-examples.saved"), encoding: .utf8)
        #expect(result.standardOutput == expected, "the unit's apply differs from examples/all-examples.saved")
    }

    @Test("the unit's ExecStart exits 2 with a file:line:column diagnostic when a rule file is broken, at boot and on reload, changing nothing (unshare -n)",
          .disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
    func execStartFailsOnBrokenRules() throws {
        let unit = try SystemdUnit()
        let start = try unit.command("ExecStart"), reload = try unit.command("ExecReload"), sandbox = try unit.sandbox()
        let result = try inFreshNetworkNamespace(namespaceLibrary + """
            plain
            cat > "$WORK/rules/broken.swift" <<'EOF'
            import RiptDSL

            Partition("broken") {
                Label("web", address: "192.0.2.256")
            }
            EOF
            check() {  # $1: the command; exits 2, one diagnostic on stderr, nothing on stdout, tables unchanged
                before=$(save)
                status=0; eval "\(sandbox) $1" > "$WORK/out" 2> "$WORK/err" || status=$?
                [ "$status" = 2 ] || { echo "exit $status"; cat "$WORK/err"; exit 1; }
                [ ! -s "$WORK/out" ] || { echo "printed:"; cat "$WORK/out"; exit 1; }
                [ "$before" = "$(save)" ] || { echo "tables changed"; exit 1; }
                grep -E "^$WORK/rules/broken\\.swift:4:[0-9]+: error: " "$WORK/err" || { cat "$WORK/err"; exit 1; }
            }
            # At boot: empty tables stay empty.
            check '\(start)'
            # Running with good rules, then a broken edit and a reload: the good rules stay.
            mv "$WORK/rules/broken.swift" "$WORK/broken"
            \(sandbox) \(start) > /dev/null
            mv "$WORK/broken" "$WORK/rules/broken.swift"
            check '\(reload)'
            save | grep -q -- '-j ACCEPT'
            """)
        #expect(result.status == 0, "\(result.standardError)\n\(result.standardOutput)")
        #expect(result.standardOutput.split(separator: "\n").count == 2, "one diagnostic each time:\n\(result.standardOutput)")
    }
}
