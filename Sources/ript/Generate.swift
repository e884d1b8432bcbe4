import ArgumentParser
import RiptCore

extension Ript.Rules {
    /// `ript rules generate PATH`: print what PATH compiles to.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the chains the rule files compile to, without touching the kernel.",
            discussion: """
                Prints the bootstrap hook chains, then each partition under a '# NAME-HASH' header, \
                as iptables commands (the default), as iptables-restore input, or as JSON. \
                Needs no root; on any error in any rule file it prints the errors and nothing else.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case commands, restore, json
        }

        @OptionGroup var rules: RulePathOptions

        @Option(help: "Output format: commands (iptables command lines), restore (iptables-restore input) or json.")
        var format: Format = .commands

        func run() throws {
            let ruleset = try rules.compile()
            switch format {
            case .commands: writeStandardOutput(CommandRenderer.render(ruleset))
            case .restore: writeStandardOutput(RestoreRenderer.render(ruleset))
            case .json: writeStandardOutput(JSONRenderer.render(ruleset))
            }
        }
    }
}
