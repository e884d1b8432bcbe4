import Foundation
import TestSupport
import Testing

/// The command lines of examples/config-management/, read from the files
/// themselves: the Ansible tasks parsed as YAML (python3-yaml), the Puppet
/// exec's strings by their attribute names.
private struct ConfigManagementCommands {
    var ansibleValidate = "", ansibleCommand = "", ansibleChangedWhen = "", ansibleFailedWhen = ""
    var puppetCommand = "", puppetUnless = ""

    init() throws {
        let reader = """
            import sys, yaml
            tasks = yaml.safe_load(open(sys.argv[1]))
            copy = next(t for t in tasks if "ansible.builtin.copy" in t)
            apply = next(t for t in tasks if "ansible.builtin.command" in t)
            for value in [copy["ansible.builtin.copy"]["validate"], apply["ansible.builtin.command"]["cmd"],
                          apply["changed_when"], apply["failed_when"]]:
                print(value)
            """
        let parsed = try run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            ["-c", reader, packageRoot.appendingPathComponent("examples/config-management/ript.ansible.yml").path])
        try #require(parsed.status == 0, "the Ansible tasks don't parse (apt-get install python3-yaml): \(parsed.standardError)")
        let values = parsed.standardOutput.split(separator: "\n").map(String.init)
        try #require(values.count == 4, "\(values)")
        (ansibleValidate, ansibleCommand, ansibleChangedWhen, ansibleFailedWhen) = (values[0], values[1], values[2], values[3])

        let manifest = try String(contentsOf: packageRoot.appendingPathComponent("examples/config-management/ript.pp"), encoding: .utf8)
        func attribute(_ name: String) throws -> String {
            let match = try #require(manifest.firstMatch(of: try Regex("\\n\\s*\(name)\\s*=>\\s*'([^']*)',")))
            return String(try #require(match.output[1].substring))
        }
        puppetCommand = try attribute("command")
        puppetUnless = try attribute("unless")
    }
}

/// Single-quotes a string for sh.
private func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

/// `namespaceScript` with the examples' command lines as its prelude: only
/// /etc/ript replaced by the test's rule directory, and `ript` found on PATH
/// as the built binary.
private func namespaceScript(withExampleCommands script: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let commands = try ConfigManagementCommands()
    for line in [commands.ansibleCommand, commands.puppetCommand, commands.puppetUnless] {
        #expect(line.hasPrefix("ript ") && line.contains("/etc/ript"), "\(line)", sourceLocation: sourceLocation)
    }
    func local(_ line: String) -> String { quoted(line.replacingOccurrences(of: "/etc/ript", with: "$ETC_RIPT")) }
    let prelude = """
        mkdir "$WORK/ript-bin"; ln -s "$RIPT" "$WORK/ript-bin/ript"; PATH="$WORK/ript-bin:$PATH"
        ETC_RIPT="$WORK/etc-ript"; export ETC_RIPT
        ANSIBLE_VALIDATE=\(quoted(commands.ansibleValidate)); ANSIBLE_COMMAND=\(local(commands.ansibleCommand))
        CHANGED_WHEN=\(quoted(commands.ansibleChangedWhen)); FAILED_WHEN=\(quoted(commands.ansibleFailedWhen))
        PUPPET_COMMAND=\(local(commands.puppetCommand)); PUPPET_UNLESS=\(local(commands.puppetUnless))
        install() { rm -rf "$ETC_RIPT"; cp -r "$WORK/rules" "$ETC_RIPT"; }
        # The Jinja expressions are Python too: evaluated with the task's registered rc.
        judge() { /usr/bin/python3 -c 'import sys, types; ript_apply = types.SimpleNamespace(rc=int(sys.argv[1])); print(("changed" if eval(sys.argv[2]) else "ok") + (" FAILED" if eval(sys.argv[3]) else ""))' "$1" "$CHANGED_WHEN" "$FAILED_WHEN"; }
        # Ansible's command module: no shell, arguments split as sh splits these.
        ansible() { status=0; sh -c "$ANSIBLE_COMMAND" > /dev/null 2>> "$WORK/errors" || status=$?; echo "ansible: rc $status $(judge $status)"; }
        # Puppet's exec with provider shell: command runs only when unless fails.
        puppet() {
            if sh -c "$PUPPET_UNLESS" 2>> "$WORK/errors"; then echo "puppet: in sync, skipped"; return; fi
            status=0; sh -c "$PUPPET_COMMAND" > /dev/null 2>> "$WORK/errors" || status=$?; echo "puppet: ran, returned $status"
        }

        """
    return try namespaceScript(script, prelude: prelude, sourceLocation: sourceLocation)
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct ConfigManagementTests {
    @Test("the Ansible example's exact command lines: changed only when ript changed the kernel, failed on a broken rule file, which its validate refuses (unshare -n)")
    func ansibleTasks() throws {
        let result = try namespaceScript(withExampleCommands: """
            plain; install
            for file in "$ETC_RIPT"/*.swift; do
                status=0; sh -c "$(echo "$ANSIBLE_VALIDATE" | sed "s|%s|$file|")" > /dev/null || status=$?
                [ "$status" = 0 ] || echo "validate refused $file: $status"
            done
            ansible
            ansible
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"; install
            ansible
            rm "$WORK/rules/drop.swift"; install
            ansible
            ansible
            echo 'Partition("broken") { Accept("x") }' > "$WORK/broken.swift"
            status=0; sh -c "$(echo "$ANSIBLE_VALIDATE" | sed "s|%s|$WORK/broken.swift|")" > /dev/null 2>&1 || status=$?
            echo "validate of a broken file: $status"
            save > "$WORK/before"
            cp "$WORK/broken.swift" "$ETC_RIPT/"
            ansible
            save | diff "$WORK/before" - && echo "kernel unchanged"
            """)
        #expect(result.standardOutput == """
            ansible: rc 1 changed
            ansible: rc 0 ok
            ansible: rc 1 changed
            ansible: rc 1 changed
            ansible: rc 0 ok
            validate of a broken file: 2
            ansible: rc 2 ok FAILED
            kernel unchanged

            """, "\(result.standardError)")
    }

    @Test("the Puppet example's exact command lines: the exec runs only when rules diff or clean diff has something to do, and fails on a broken rule file (unshare -n)")
    func puppetExec() throws {
        let result = try namespaceScript(withExampleCommands: """
            plain; install
            puppet
            puppet
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"; install
            # Loaded by hand with rules apply, which leaves the old version's chains to clean:
            # rules diff is in sync, clean diff isn't.
            $RIPT rules apply "$ETC_RIPT" > /dev/null
            $RIPT rules diff --exit-code "$ETC_RIPT" > /dev/null && echo "rules diff in sync"
            puppet
            puppet
            rm "$WORK/rules/drop.swift"; install
            puppet
            puppet
            save > "$WORK/before"
            echo 'Partition("broken") { Accept("x") }' > "$ETC_RIPT/zz-broken.swift"
            puppet
            save | diff "$WORK/before" - && echo "kernel unchanged"
            grep -c 'zz-broken.swift:1:' "$WORK/errors"
            """)
        #expect(result.standardOutput == """
            puppet: ran, returned 0
            puppet: in sync, skipped
            rules diff in sync
            puppet: ran, returned 0
            puppet: in sync, skipped
            puppet: ran, returned 0
            puppet: in sync, skipped
            puppet: ran, returned 2
            kernel unchanged
            2

            """, "\(result.standardError)")
    }
}
