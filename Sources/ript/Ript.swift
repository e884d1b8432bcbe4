import ArgumentParser
import RiptCore
import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

/// ript: a declarative firewall rule compiler for Linux.
@main
struct Ript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ript",
        abstract: "Compile partitions of firewall rules to iptables chains and change the kernel incrementally, without flushing.",
        discussion: environment,
        version: "0.1.0",
        subcommands: [Rules.self, Clean.self, Apply.self, Confirm.self]
    )

    /// The environment variables ript reads, for --help and ript(1)
    /// (generated from this: man/generate.sh). ASCII only, as all help text;
    /// each entry starts its line with a blank, which makes the manual break
    /// the line there (an empty line would be a warning).
    static let environment = """
        ENVIRONMENT
         RIPT_CACHE_DIR: the directory of the compile cache (see --no-cache). Unset or empty: /var/cache/ript \
        for root, else $XDG_CACHE_HOME/ript or ~/.cache/ript. Only the last component is made when missing, and \
        a directory another user owns or could write is not used. The systemd unit sets /var/cache/ript.
         RIPT_RUN_DIR: where a --confirm change waits and 'ript confirm' finds it (confirm.lock, confirm.pid, \
        confirm.sock). Unset or empty: /run/ript. Made when missing; it must be owned by the user running ript, \
        writable by no one else, and short enough for a socket's path.
         XTABLES_LOCKFILE: the lock every iptables program takes before it changes a table, which ript holds \
        from its first read of the kernel to its last commit (see --wait). Unset or empty: /run/xtables.lock.
         RIPT_TRACE: 1 prints on standard error how long each phase took, and when it ended since ript started.
         NO_COLOR: set and not empty, turns automatic colour off (--color auto), as does TERM unset, empty or dumb.
         GLIBC_TUNABLES: glibc.malloc.hugetlb=1 makes malloc ask for transparent huge pages where the kernel \
        offers them (/sys/kernel/mm/transparent_hugepage/enabled is always or madvise). A large change needs a \
        tenth of the page faults: a one-partition change of a 50,000-rule set, 24,000 -> 2,600, 195 -> 160 ms. \
        glibc reads it only when a process starts, so it is set by whoever starts ript: the systemd unit does. \
        ript grows malloc's heaps 64 MB at a time, unless glibc.malloc.top_pad here (or MALLOC_TOP_PAD_) says otherwise.
        """

    /// ArgumentParser's main, waiting for compile cache writes (made in the
    /// background while the command works) before the process exits.
    static func main() {
        _ = processStart  // a lazy global: start the clock now
        growHeapsInLargeSteps()
        do {
            var command = try Trace.phase("arguments") { try parseAsRoot() }
            try command.run()
            CompileCache.finishWriting()
            Trace.note("done at \(Trace.sinceStart()) ms")
        } catch {
            CompileCache.finishWriting()
            // A usage error (an unknown option, a bad value, a failed
            // validate()) exits 2 like every other error, not
            // ArgumentParser's 64: scripts test for 2.
            if exitCode(for: error) == .validationFailure {
                writeStandardError(fullMessage(for: error) + "\n")
                exit(withError: ExitCode.error)
            }
            exit(withError: error)
        }
    }
}

extension Ript {
    /// `ript rules …`: the rule files and what they compile to.
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile rule files and compare them with the kernel.",
            subcommands: [Generate.self, Diff.self, Apply.self, Save.self, Flush.self]
        )
    }

    /// `ript clean …`: stale chains and pointers.
    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find and remove stale ript chains and their pointers.",
            subcommands: [Diff.self, Apply.self]
        )
    }
}

/// PATH: the rule file or directory most commands take.
struct RulePathOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "A rule file, or a directory searched recursively for *.swift rule files.",
        valueName: "path"),
        completion: .file(extensions: ["swift"]))
    var path: String

    @Flag(help: "Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).")
    var noCache = false

    /// Loads, evaluates and compiles PATH, reporting errors and, when it
    /// compiles, its warnings (which change nothing else: not the output,
    /// not the exit status, not an apply).
    func compile() throws -> CompiledRuleset {
        let ruleset = try reportingErrors { try Pipeline.compile(path: path, cache: noCache ? nil : .standard()) }
        if !ruleset.warnings.isEmpty {
            writeStandardError(ruleset.warnings.map { "\($0)\n" }.joined())
        }
        return ruleset
    }
}

/// Exit codes scripts can rely on.
extension ExitCode {
    /// The rule files or the command failed; nothing was changed.
    static let error = ExitCode(2)
}

/// Runs a stage, printing its diagnostics to standard error on failure.
func reportingErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let errors as RuleErrors {
        writeStandardError(errors.description + "\n")
        writeStandardError("ript: \(plural(errors.errorCount, "error")); nothing was generated\n")
        throw ExitCode.error
    } catch let error as RulePathError {
        writeStandardError("ript: error: \(error.description)\n")
        throw ExitCode.error
    }
}
