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
                Needs no root; on any error in any rule file it prints the errors and nothing else. With \
                --quiet it only checks the rule files: exit 0 when they compile, 2 with their errors.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case commands, restore, json
        }

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var families: FamilyOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Output format: commands (iptables and ip6tables command lines), restore (iptables-restore input; needs --family 4 or 6) or json (schema/ript.schema.json).")
        var format: Format = .commands

        func validate() throws {
            if format == .restore { try families.checkRestoreFormat() }
        }

        func run() throws {
            output.configure()
            let ruleset = try rules.compile().restricted(to: families.families)
            switch format {
            case .commands:
                output.writeCommands(CommandRenderer.render(ruleset))
                output.writeSummary({
                    let rules = ruleset.partitions.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } + $1.pointers.count }
                    return "\(plural(ruleset.partitions.count, "partition")) compiled to \(plural(rules, "rule"))"
                }())
            case .restore: output.write(RestoreRenderer.render(ruleset, family: families.families[0]))
            case .json: output.write(JSONRenderer.render(ruleset))
            }
        }
    }
}
