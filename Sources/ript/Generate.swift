import ArgumentParser
import RiptCore

extension Ript.Rules {
    /// `ript rules generate PATH`: print what PATH compiles to.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the chains the rule files compile to, without touching the kernel.",
            discussion: """
                Prints the bootstrap hook chains, then each partition under a '# NAME-HASH' header, \
                as iptables and ip6tables commands (the default), as iptables-restore input (one family \
                at a time), or as JSON. \
                Needs no root; on any error in any rule file it prints the errors and nothing else.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case commands, restore, json
        }

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var families: FamilyOptions

        @Option(help: "Output format: commands (iptables and ip6tables command lines), restore (iptables-restore input; needs --family 4 or 6) or json.")
        var format: Format = .commands

        func validate() throws {
            if format == .restore { try families.checkRestoreFormat() }
        }

        func run() throws {
            let ruleset = try rules.compile().restricted(to: families.families)
            switch format {
            case .commands: writeStandardOutput(CommandRenderer.render(ruleset))
            case .restore: writeStandardOutput(RestoreRenderer.render(ruleset, family: families.families[0]))
            case .json: writeStandardOutput(JSONRenderer.render(ruleset))
            }
        }
    }
}
