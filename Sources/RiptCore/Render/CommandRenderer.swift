/// Renders chain sets as iptables commands with long options, one per line,
/// in the style of the original Ript: the bootstrap first, then each partition
/// under a `# NAME-HASH` header. Run top to bottom on a kernel without ript's
/// chains, the script builds exactly the ruleset: chains are filled before
/// any pointer leads into them, and filter pointers come before nat ones, so
/// traffic is never rewritten before the accepts it needs are in place.
/// Host settings: their rules go in right after the bootstrap (the head of
/// the hook chains, before any pointer), and the policies come last in the
/// script, once everything they would otherwise drop is accepted.
public enum CommandRenderer {
    public static func render(_ ruleset: CompiledRuleset) -> String {
        var out = "# bootstrap\n"
        for family in ruleset.families {
            for (table, name) in Bootstrap.chains {
                out += command(family, table, ["--new-chain", name])
                for hook in Bootstrap.hooks(family) where hook.chain == name {
                    out += command(family, table, ["--insert", hook.builtIn, "1", "--jump", name])
                }
            }
        }
        let hosts = ruleset.partitions.compactMap { chainSet in chainSet.host.map { (chainSet, $0) } }
        for (chainSet, host) in hosts where !host.rules.isEmpty {
            out += "\n# host rules of \(chainSet.id)\n"
            for family in ruleset.families {
                for rule in host.rules where rule.family == family {
                    out += command(rule.table, "--append", rule.chain, rule.rule)
                }
            }
        }
        for chainSet in ruleset.partitions {
            out += "\n# \(chainSet.id)\n"
            // IPv4 then IPv6, each family's chains made and filled before its pointers.
            for family in ruleset.families {
                let chains = chainSet.chains.filter { $0.family == family }
                for chain in chains {
                    out += command(family, chain.table, ["--new-chain", chain.name])
                }
                for chain in chains {
                    for rule in chain.rules {
                        out += command(chain.table, "--append", chain.name, rule)
                    }
                }
                for pointer in chainSet.pointers where pointer.family == family {
                    out += command(pointer.table, "--append", pointer.chain, pointer.rule)
                }
            }
            out += chainSet.raw.map(rawCommand).joined()
        }
        for (chainSet, host) in hosts where !host.policies.isEmpty {
            out += "\n# policies of \(chainSet.id)\n"
            for family in ruleset.families {
                guard let policies = host.policies[family] else { continue }
                // The marker that says ript owns the family's policies, as an apply makes it.
                out += command(family, .filter, ["--new-chain", Bootstrap.policyMarker])
                for (hook, policy) in policies.sorted(by: { $0.key < $1.key }) {
                    out += command(family, .filter, ["--policy", hook.rawValue, policy.rawValue])
                }
            }
        }
        return out
    }

    static func command(_ table: Table, _ verb: String, _ chain: String, _ rule: Rule) -> String {
        command(rule.family, table, [verb, chain] + rule.arguments(.long))
    }

    /// One iptables or ip6tables command line. Every word is shell-quoted
    /// where it needs it, so the output stays one command per line for `sh`
    /// whatever a name contains.
    public static func command(_ family: Family, _ table: Table, _ words: [String]) -> String {
        ([family.command, "--table", table.rawValue] + words).map(shellQuoted).joined(separator: " ") + "\n"
    }
}

extension CommandRenderer {
    /// A raw line as a command: `iptables [--table T] ARGUMENTS`.
    public static func rawCommand(_ raw: RawCommand) -> String {
        let table = raw.table == .filter ? [] : ["--table", raw.table.rawValue]
        return (["iptables"] + table + raw.arguments).map(shellQuoted).joined(separator: " ") + "\n"
    }
}

/// A word as a POSIX shell reads it back: bare when it is plainly safe,
/// otherwise in single quotes (so `$`, backquotes and `\` stay literal).
func shellQuoted(_ word: String) -> String {
    let safe = !word.isEmpty && word.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-_./:=+,@%!".utf8.contains(byte)
        }
    }
    if safe { return word }
    var quoted = "'"
    for character in word {
        if character == "'" { quoted += "'\\''" } else { quoted.append(character) }
    }
    return quoted + "'"
}
