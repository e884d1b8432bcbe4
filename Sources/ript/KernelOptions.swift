import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

/// `--family`: the address families a command covers.
struct FamilyOptions: ParsableArguments {
    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case four = "4", six = "6", both
    }

    @Option(help: "Address families: 4 (iptables), 6 (ip6tables) or both.")
    var family: Choice = .both

    var families: [Family] {
        switch family {
        case .four: [.ipv4]
        case .six: [.ipv6]
        case .both: Family.allCases
        }
    }

    /// iptables-restore input is one family's: `--format restore` needs one.
    func checkRestoreFormat() throws {
        guard families.count == 1 else {
            throw ValidationError("restore input is for one family: add --family 4 (for iptables-restore) or --family 6 (for ip6tables-restore)")
        }
    }
}

/// Options of every command that reads or changes the kernel.
struct KernelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for the xtables lock held by another program.", valueName: "seconds"))
    var wait: Double = 5

    @OptionGroup var families: FamilyOptions

    func validate() throws {
        guard wait >= 0, wait.isFinite else { throw ValidationError("--wait takes a number of seconds, 0 or more") }
    }

    /// The applier, after checking this process may use the firewall.
    func applier(for command: String) throws -> Applier {
        guard geteuid() == 0 else {
            writeStandardError("ript: error: '\(command)' reads or changes the kernel's firewall rules and needs root; run it with sudo\n")
            throw ExitCode.error
        }
        var applier = Applier(protocols: .system())
        applier.wait = wait
        applier.setDebugHooks()
        return applier
    }
}

/// Runs a kernel stage, printing a failure to standard error.
func reportingKernelErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as ApplyError {
        writeStandardError("ript: error: \(error.description)\n")
        throw ExitCode.error
    }
}

/// Prints what the kernel's state made ript notice (warnings), and what the
/// plan does besides its commands that deserves a sentence (notes: policies
/// changed, the old hook chain replaced).
func reportFindings(_ plan: Plan) {
    for finding in plan.findings { writeStandardError("ript: warning: \(finding)\n") }
    for note in plan.notes { writeStandardError("ript: note: \(note)\n") }
}
