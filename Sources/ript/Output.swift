import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--quiet` and `--color`: how a command prints for the person running it.
///
/// Standard output carries only results (commands, JSON, restore input),
/// standard error every error, warning and note. On a terminal, results are
/// coloured and followed by one summary line; piped, they are plain text
/// with no summary, so scripts read exactly what they asked for.
struct OutputOptions: ParsableArguments {
    enum Colour: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Flag(name: .shortAndLong, help: "Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.")
    var quiet = false

    @Option(name: .customLong("color"), help: "Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.")
    var colour: Colour = .auto

    /// Whether standard output gets colour.
    var colourOutput: Bool { colours(STDOUT_FILENO) }

    /// Whether the summary line is printed: only for a person at a terminal.
    var summary: Bool { !quiet && isatty(STDOUT_FILENO) == 1 }

    /// Applies `--color` to standard error too; call first thing in `run()`.
    func configure() {
        standardErrorColour.store(colours(STDERR_FILENO), ordering: .relaxed)
    }

    private func colours(_ descriptor: Int32) -> Bool {
        switch colour {
        case .always: true
        case .never: false
        case .auto: isatty(descriptor) == 1 && Self.environmentAllowsColour
        }
    }

    /// NO_COLOR (https://no-color.org) set to anything, or TERM=dumb, turns automatic colour off.
    static var environmentAllowsColour: Bool {
        if environmentValue("NO_COLOR") != nil { return false }
        guard let term = environmentValue("TERM") else { return false }
        return term != "dumb"
    }

    /// Writes a result to standard output, unless `--quiet`; `text` is
    /// worked out only when it is written (a first load's is tens of
    /// thousands of lines, and the boot unit runs with `--quiet`).
    func write(_ text: @autoclosure () -> String) {
        if !quiet { writeStandardOutput(text()) }
    }

    /// Writes iptables commands: additions green, removals red, `#` headers bold, on a terminal.
    func writeCommands(_ text: @autoclosure () -> String) {
        guard !quiet else { return }
        let text = text()
        writeStandardOutput(colourOutput ? ANSI.commands(text) : text)
    }

    /// A plan's commands and, on a terminal, its summary line: of what was
    /// done (`done`, the applies) or of what is to do (the diffs).
    func writePlan(_ plan: Plan, ruleset: CompiledRuleset, done: Bool) {
        writeCommands(PlanRenderer.commands(plan))
        writeSummary(PlanSummary(plan, ruleset: ruleset).text(done: done))
    }

    /// A plan as JSON (schema ript.plan); `applied` when it was carried out.
    func writePlanJSON(_ plan: Plan, ruleset: CompiledRuleset, applied: Bool) {
        write(PlanRenderer.json(plan, summary: PlanSummary(plan, ruleset: ruleset), applied: applied))
    }

    /// The summary line, on a terminal: "3 partitions changed, 2 stale chains removed, 84 ms".
    /// `text` is worked out only then.
    func writeSummary(_ text: @autoclosure () -> String) {
        guard summary else { return }
        let milliseconds = Int(((monotonicSeconds() - processStart) * 1000).rounded())
        let line = "\(text()), \(milliseconds) ms"
        writeStandardOutput((colourOutput ? ANSI.bold(line) : line) + "\n")
    }
}

/// Whether standard error is coloured: set by `OutputOptions.configure()`,
/// else automatic (usage errors come before any command runs).
private let standardErrorColour = Atomic<Bool>(isatty(STDERR_FILENO) == 1 && OutputOptions.environmentAllowsColour)

/// The few ANSI SGR sequences ript uses.
enum ANSI {
    static func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
    static func red(_ text: String) -> String { "\u{1B}[31m\(text)\u{1B}[0m" }
    static func green(_ text: String) -> String { "\u{1B}[32m\(text)\u{1B}[0m" }
    static func yellow(_ text: String) -> String { "\u{1B}[33m\(text)\u{1B}[0m" }
    static func boldRed(_ text: String) -> String { "\u{1B}[1;31m\(text)\u{1B}[0m" }

    /// Colours command lines by what they do to the kernel.
    static func commands(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.isEmpty { return "" }
            if line.hasPrefix("#") { return bold(String(line)) }
            if line.contains(" --delete ") || line.contains(" --delete-chain ") || line.contains(" --flush ") {
                return red(String(line))
            }
            return green(String(line))
        }.joined(separator: "\n")
    }

    /// Colours the severity of diagnostics and messages: "ript: error:",
    /// "file:line:column: warning:", and so on.
    static func severities(_ text: String) -> String {
        var out = text
        for (word, style) in [("error:", boldRed), ("warning:", yellow), ("note:", bold)] as [(String, (String) -> String)] {
            out = out.replacingOccurrences(of: ": \(word) ", with: ": \(style(word)) ")
        }
        return out
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Writes all of `text` to a file descriptor, in as few system calls as it takes.
private func writeAll(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

func writeStandardOutput(_ text: String) { writeAll(text, to: STDOUT_FILENO) }

/// Errors, warnings and notes: always standard error, coloured on a terminal.
func writeStandardError(_ text: String) {
    writeAll(standardErrorColour.load(ordering: .relaxed) ? ANSI.severities(text) : text, to: STDERR_FILENO)
}
