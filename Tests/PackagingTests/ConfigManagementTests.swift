import Foundation
import TestSupport
import Testing

// examples/config-management/, run as Ansible and Puppet would run them:
// their exact command lines, read out of the files, with /etc/ript (and
// /etc/ript.staged) moved into the test's directory and `ript` found on
// PATH as the built binary. Neither tool is installed here; the two small
// emulators below do what the modules the examples use do, and refuse
// anything else, so an example that changes shape fails loudly here.

/// Runs the Ansible tasks (python3-yaml reads them): `python3 ansible.py
/// TASKS check|run ETC_RIPT RULES`. What the modules do: file (state absent),
/// copy (a directory's files), command (no shell) and shell; `when`,
/// `check_mode: false`, `register`, `changed_when` and `failed_when` (their
/// Jinja is Python too). In check mode a command or shell task is skipped
/// unless it says `check_mode: false`. Prints one line: each task that was
/// not simply ok, by the first word of its name ("Install changed"); a
/// failed task ends the run, as it ends the play for that host.
private let ansibleEmulator = #"""
    import os, shlex, shutil, subprocess, sys, types, yaml
    tasks = yaml.safe_load(open(sys.argv[1]))
    check, etc, rules = sys.argv[2] == "check", sys.argv[3], sys.argv[4]
    def local(value):
        if isinstance(value, str):
            value = value.replace("/etc/ript", etc)
            assert "/etc/" not in value, "the test would touch this machine's /etc: " + value
            return value
        if isinstance(value, dict): return {key: local(item) for key, item in value.items()}
        return value
    variables = {"ansible_check_mode": check}
    def judge(expression, default):
        if expression is None: return default
        if isinstance(expression, bool): return expression
        return bool(eval(str(expression), {}, dict(variables)))
    report = []
    for task in tasks:
        word = task["name"].split()[0]
        (module,) = [key for key in task if key.startswith("ansible.")]
        arguments = local(task[module])
        if not judge(task.get("when"), True) or (check and task.get("check_mode") is not False):
            report.append(word + " skipping")
            continue
        result = types.SimpleNamespace(rc=0, stdout="", stderr="")
        if module == "ansible.builtin.file" and arguments == {"path": arguments["path"], "state": "absent"}:
            if os.path.isdir(arguments["path"]): shutil.rmtree(arguments["path"])
            elif os.path.lexists(arguments["path"]): os.remove(arguments["path"])
        elif module == "ansible.builtin.copy" and arguments["src"] == "rules/" and arguments["dest"].endswith("/"):
            shutil.copytree(rules, arguments["dest"], dirs_exist_ok=True)
            for directory, _, files in os.walk(arguments["dest"]):
                os.chmod(directory, int(arguments["directory_mode"], 8))
                for name in files: os.chmod(os.path.join(directory, name), int(arguments["mode"], 8))
        elif module in ("ansible.builtin.command", "ansible.builtin.shell"):
            words = shlex.split(arguments["cmd"]) if module == "ansible.builtin.command" else ["/bin/sh", "-c", arguments["cmd"]]
            done = subprocess.run(words, capture_output=True, text=True)
            sys.stderr.write(done.stderr)
            result = types.SimpleNamespace(rc=done.returncode, stdout=done.stdout.rstrip("\r\n"), stderr=done.stderr)
        else:
            sys.exit("the emulator does not know " + module + " with " + str(arguments) + ": teach it")
        if "register" in task: variables[task["register"]] = result
        if judge(task.get("failed_when"), result.rc != 0):
            report.append(word + " FAILED")
            break
        if judge(task.get("changed_when"), True): report.append(word + " changed")
    print("ansible" + (" --check" if check else "") + ": " + (", ".join(report) or "ok"))
    """#

/// Runs the Puppet class: `python3 puppet.py MANIFEST ETC_RIPT SOURCE`. Its
/// resources, in the manifest's order (which is their dependencies' order):
/// a file resource (a directory with `recurse` and `purge`) becomes an exact
/// copy of its source when it differs; an exec runs `command` when `unless`
/// fails (with `provider => shell`). A resource that requires or subscribes
/// to one that failed or was skipped is skipped. Prints one line: each exec
/// by the words of its title between `ript` and the path ("apply ran,
/// returned 0", "rules generate in sync"), and each skipped resource.
private let puppetEmulator = #"""
    import re, shutil, subprocess, sys
    text = open(sys.argv[1]).read()
    etc, source = sys.argv[2], sys.argv[3]
    def local(value):
        value = value.replace("/etc/ript", etc)
        assert "/etc/" not in value, "the test would touch this machine's /etc: " + value
        return value
    def string(value):
        if value == "$source": return source
        assert value.startswith("'") and value.endswith("'"), value
        return local(value[1:-1])
    outcome, report = {}, []
    for kind, title, body in re.findall(r"\n  (file|exec) \{ '([^']+)':\n(.*?)\n  \}", text, re.S):
        attributes = dict(re.findall(r"^\s*(\w+)\s*=>\s*(.+?),$", body, re.M))
        name = kind.capitalize() + "[" + title + "]"
        label = title if kind == "file" else " ".join(title.split()[1:-1])
        needs = [r[0] + "[" + r[1] + "]" for key in ("require", "subscribe") if key in attributes
                 for r in re.findall(r"(File|Exec)\['([^']+)'\]", attributes[key])]
        if any(outcome.get(need) != "done" for need in needs):
            outcome[name] = "skipped"
            report.append(label + " skipped")
            continue
        if kind == "file":
            assert attributes["recurse"] == "true" and attributes["purge"] == "true", body
            path, origin = local(title), string(attributes["source"])
            if subprocess.run(["diff", "-r", origin, path], capture_output=True).returncode != 0:
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(origin, path)
        else:
            assert attributes["provider"] == "shell", body
            if subprocess.run(["/bin/sh", "-c", string(attributes["unless"])]).returncode == 0:
                report.append(label + " in sync")
            else:
                status = subprocess.run(["/bin/sh", "-c", string(attributes["command"])], stdout=subprocess.DEVNULL).returncode
                report.append(label + " ran, returned " + str(status))
                if status != 0:
                    outcome[name] = "failed"
                    continue
        outcome[name] = "done"
    assert len(outcome) >= 4, "read fewer resources than the example has: " + str(outcome)
    print("puppet: " + "; ".join(report))
    """#

/// Runs `script` in a fresh network namespace (`namespaceScript`) with
/// `ansible [--check]` and `puppet`, which run the examples against
/// `$ETC_RIPT` with `$WORK/rules` as their source, errors into `$WORK/errors`.
private func namespace(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let examples = packageRoot.appendingPathComponent("examples/config-management").path
    let prelude = """
        mkdir "$WORK/ript-bin"; ln -s "$RIPT" "$WORK/ript-bin/ript"; PATH="$WORK/ript-bin:$PATH"
        ETC_RIPT="$WORK/etc-ript"
        cat > "$WORK/ansible.py" <<'EOF'
        \(ansibleEmulator)
        EOF
        cat > "$WORK/puppet.py" <<'EOF'
        \(puppetEmulator)
        EOF
        ansible() {
            mode=run; [ "${1:-}" = --check ] && mode=check
            /usr/bin/python3 "$WORK/ansible.py" '\(examples)/ript.ansible.yml' $mode "$ETC_RIPT" "$WORK/rules" 2>> "$WORK/errors"
        }
        puppet() { /usr/bin/python3 "$WORK/puppet.py" '\(examples)/ript.pp' "$ETC_RIPT" "$WORK/rules" 2>> "$WORK/errors"; }
        # What a step left: the kernel's tables and the installed rule files.
        state() { { save; ls -l "$ETC_RIPT" 2>&1; cat "$ETC_RIPT"/* 2>&1; } | md5sum; }
        unchanged() { [ "$(state)" = "$1" ] && echo "kernel and rule files unchanged"; }

        """
    return try namespaceScript(script, prelude: prelude, sourceLocation: sourceLocation)
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct ConfigManagementTests {
    @Test("the Ansible example's exact command lines: changed only when ript changed the kernel; check mode predicts that without changing the kernel or /etc/ript; a rule file deleted from the source is deleted from /etc/ript and its partition from the kernel; a failed apply fails the task (unshare -n)")
    func ansibleTasks() throws {
        let result = try namespace("""
            plain
            ansible --check
            ansible
            ansible
            ansible --check
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"
            before=$(state); ansible --check; unchanged "$before"
            ansible
            rm "$WORK/rules/drop.swift"
            before=$(state); ansible --check; unchanged "$before"
            ansible
            [ ! -e "$ETC_RIPT/drop.swift" ] && ! save | grep -q -- '^:dropper-' && echo "dropper removed"
            ansible
            # The kernel refuses the commit: the apply fails, and each table stays as it was.
            sed -i 's/Ports(22, 2022)/Ports(22, 2222)/' "$WORK/rules/dual-stack.swift"
            save > "$WORK/before"
            export RIPT_FAULTS=iptc_commit=EPERM,ip6tc_commit=EPERM; ansible; unset RIPT_FAULTS
            save | diff "$WORK/before" - && echo "kernel unchanged"
            ansible
            """)
        #expect(result.standardOutput == """
            ansible --check: Predict changed, Install skipping, Load skipping
            ansible: Predict skipping, Install changed, Load changed
            ansible: Predict skipping
            ansible --check: Install skipping, Load skipping
            ansible --check: Predict changed, Install skipping, Load skipping
            kernel and rule files unchanged
            ansible: Predict skipping, Install changed, Load changed
            ansible --check: Predict changed, Install skipping, Load skipping
            kernel and rule files unchanged
            ansible: Predict skipping, Install changed, Load changed
            dropper removed
            ansible: Predict skipping
            ansible: Predict skipping, Install changed, Load FAILED
            kernel unchanged
            ansible: Predict skipping, Load changed

            """, "\(result.standardError)")
    }

    @Test("the Ansible example checks the staged rule files as a whole: a broken file, or two files with the same partition, fail the play, in check mode too, before /etc/ript or the kernel changes (unshare -n)")
    func ansibleRefusesBeforeInstalling() throws {
        let result = try namespace("""
            plain
            ansible > /dev/null
            echo 'Partition("broken") { Accept("x") }' > "$WORK/rules/zz-broken.swift"
            before=$(state); ansible; ansible --check; unchanged "$before"
            grep -c 'zz-broken.swift:1:' "$WORK/errors"
            rm "$WORK/rules/zz-broken.swift"
            # Each file compiles alone; together they name one partition twice.
            cp "$WORK/rules/basic.swift" "$WORK/rules/basic-again.swift"
            before=$(state); ansible; ansible --check; unchanged "$before"
            grep -c "partition name 'basic' is already defined" "$WORK/errors"
            rm "$WORK/rules/basic-again.swift"
            ansible
            """)
        #expect(result.standardOutput == """
            ansible: Check FAILED
            ansible --check: Check FAILED
            kernel and rule files unchanged
            2
            ansible: Check FAILED
            ansible --check: Check FAILED
            kernel and rule files unchanged
            2
            ansible: Predict skipping

            """, "\(result.standardError)")
    }

    @Test("the Puppet example's exact command lines: the apply runs only when rules diff or clean diff has something to do; a rule file deleted from the source is deleted from /etc/ript and its partition from the kernel; a broken file, or two files with the same partition, fail the check before /etc/ript or the kernel changes (unshare -n)")
    func puppetExec() throws {
        let result = try namespace("""
            plain
            puppet
            puppet
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"
            # Loaded by hand with rules apply, which leaves the old version's chains to clean:
            # rules diff is in sync, clean diff isn't.
            rm -rf "$ETC_RIPT"; cp -r "$WORK/rules" "$ETC_RIPT"
            $RIPT rules apply "$ETC_RIPT" > /dev/null
            $RIPT rules diff --exit-code "$ETC_RIPT" > /dev/null && echo "rules diff in sync"
            puppet
            puppet
            rm "$WORK/rules/drop.swift"
            puppet
            [ ! -e "$ETC_RIPT/drop.swift" ] && ! save | grep -q -- '^:dropper-' && echo "dropper removed"
            puppet
            echo 'Partition("broken") { Accept("x") }' > "$WORK/rules/zz-broken.swift"
            before=$(state); puppet; unchanged "$before"
            grep -c 'zz-broken.swift:1:' "$WORK/errors"
            rm "$WORK/rules/zz-broken.swift"
            # Each file compiles alone; together they name one partition twice.
            cp "$WORK/rules/basic.swift" "$WORK/rules/basic-again.swift"
            before=$(state); puppet; unchanged "$before"
            rm "$WORK/rules/basic-again.swift"
            puppet
            """)
        #expect(result.standardOutput == """
            puppet: rules generate in sync; apply ran, returned 0
            puppet: rules generate in sync; apply in sync
            rules diff in sync
            puppet: rules generate in sync; apply ran, returned 0
            puppet: rules generate in sync; apply in sync
            puppet: rules generate in sync; apply ran, returned 0
            dropper removed
            puppet: rules generate in sync; apply in sync
            puppet: rules generate ran, returned 2; /etc/ript skipped; apply skipped
            kernel and rule files unchanged
            2
            puppet: rules generate ran, returned 2; /etc/ript skipped; apply skipped
            kernel and rule files unchanged
            puppet: rules generate in sync; apply in sync

            """, "\(result.standardError)")
    }
}
