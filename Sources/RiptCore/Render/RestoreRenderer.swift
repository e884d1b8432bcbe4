/// Renders one family's chain sets as iptables-restore (or
/// ip6tables-restore) input: one `*table … COMMIT` block per table, filter
/// first, so a restore commits the accepts before the nat rules that need
/// them. It is the complete ruleset for a kernel without ript's chains: load
/// it with `iptables-restore --noflush` (`ip6tables-restore` for IPv6).
/// Host settings: a `:INPUT DROP [0:0]` line sets a built-in chain's policy
/// (iptables-restore --noflush sets it without flushing the chain, in the
/// same commit as the rules), and the host rules go at the head of the hook
/// chains, before every pointer; the empty chain `partition-p` records
/// that ript owns the family's policies, as an apply does.
public enum RestoreRenderer {
    public static func render(_ ruleset: CompiledRuleset, family: Family) -> String {
        var out = ""
        let ruleset = ruleset.restricted(to: [family])
        let rawTables = Set(ruleset.partitions.flatMap { $0.raw.map(\.table) })
        for table in Table.allCases where table == .filter || table == .nat || rawTables.contains(table) {
            out += "*\(table.rawValue)\n"
            let hosts = ruleset.partitions.compactMap { chainSet in chainSet.host.map { (chainSet, $0) } }
            if table == .filter {
                for (_, host) in hosts {
                    for (hook, policy) in (host.policies[family] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        out += ":\(hook.rawValue) \(policy.rawValue) [0:0]\n"
                    }
                }
            }
            for (chainTable, name) in Bootstrap.chains where chainTable == table {
                out += ":\(name) - [0:0]\n"
            }
            // The marker that says ript owns the family's policies.
            if table == .filter && hosts.contains(where: { $0.1.policies[family] != nil }) {
                out += ":\(Bootstrap.policyMarker) - [0:0]\n"
            }
            for chainSet in ruleset.partitions {
                for chain in chainSet.chains where chain.table == table {
                    out += ":\(chain.name) - [0:0]\n"
                }
            }
            for hook in Bootstrap.hooks(family) where hook.table == table {
                out += "-I \(hook.builtIn) 1 -j \(hook.chain)\n"
            }
            for (chainSet, host) in hosts {
                let rules = host.rules.filter { $0.table == table }
                guard !rules.isEmpty else { continue }
                out += "# host rules of \(chainSet.id)\n"
                for rule in rules {
                    out += "-A \(rule.chain) " + rule.rule.arguments(.short).joined(separator: " ") + "\n"
                }
            }
            for chainSet in ruleset.partitions {
                let chains = chainSet.chains.filter { $0.table == table }
                let pointers = chainSet.pointers.filter { $0.table == table }
                let raw = chainSet.raw.filter { $0.table == table }
                guard chains.contains(where: { !$0.rules.isEmpty }) || !pointers.isEmpty || !raw.isEmpty else { continue }
                out += "# \(chainSet.id)\n"
                for chain in chains {
                    for rule in chain.rules {
                        out += "-A \(chain.name) " + rule.arguments(.short).joined(separator: " ") + "\n"
                    }
                }
                for pointer in pointers {
                    out += "-A \(pointer.chain) " + pointer.rule.arguments(.short).joined(separator: " ") + "\n"
                }
                for command in raw {
                    out += command.restoreArguments.joined(separator: " ") + "\n"
                }
            }
            out += "COMMIT\n"
        }
        return out
    }
}
