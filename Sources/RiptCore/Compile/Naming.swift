import Crypto

/// Naming: the partition's content hash, and its chains named by it
/// (`ChainName`).
extension PartitionCompilation {
    /// A chain's name until the partition's hash is known, `NAME-a`: the
    /// name its rules jump to while it compiles, and the one the hash covers.
    func unhashedName(_ kind: ChainName.Kind) -> String {
        ChainName(partition: name, kind: kind, hash: "").description
    }

    /// Hashes what the partition generates, then gives its chains their final names.
    /// `chains` holds the partition's chains in every family (the digest
    /// lists them all, so a partition's hash doesn't depend on its
    /// families); the chain set keeps those of `families`. Filter pointers
    /// jump to `NAME-a` until here; in a directed partition each goes to
    /// its hook's own chain.
    func name(chains: [(Family, ChainName.Kind, [Rule])], families: Set<Family>, host: HostSettings?) -> ChainSet {
        let directed = isDirected
        let pointers = Family.allCases.flatMap { family in
            Hook.allCases.map { hook in
                let target = directed ? unhashedName(.directed(hook)) : filterChain
                let rules = filterPointers.filter { $0.rule.family == family && $0.hooks.contains(hook) }.map { $0.rule.with(.jump(target)) }
                return (family, Table.filter, Bootstrap.chain(for: hook), rules.uniqued())
            } + [
                (family, Table.nat, Bootstrap.snatChain, snatPointers.filter { $0.family == family }.uniqued()),
                (family, Table.nat, Bootstrap.dnatChain, dnatPointers.filter { $0.family == family }.uniqued()),
            ]
        }
        let chains = chains.map { family, kind, rules in (family, kind.table, unhashedName(kind), rules.uniqued()) }

        // The digest input: one line per chain, rule, pointer, host setting
        // and raw command, in iptables-save syntax with protocol numbers (so
        // /etc/protocols naming can't change it); IPv6 lines start with "-6",
        // and the chains (the same in both families) are listed once. Rules'
        // provenance comments are in it (the hash names exactly what the
        // kernel holds), so a rule's description, line and file name are too.
        func line(_ family: Family, _ table: Table, _ chain: String, _ rule: Rule) -> String {
            (family == .ipv6 ? "-6 " : "") + "-t \(table.rawValue) -A \(chain) " + rule.arguments(.short, protocolAsNumber: true).joined(separator: " ")
        }
        var lines = ["partition \(name)"]
        for (family, table, chain, rules) in chains {
            if family == .ipv4 { lines.append("chain \(table.rawValue) \(chain)") }
            lines += rules.map { line(family, table, chain, $0) }
        }
        for (family, table, chain, rules) in pointers {
            lines += rules.map { line(family, table, chain, $0) }
        }
        if let host {
            for (family, policies) in host.policies.sorted(by: { $0.key < $1.key }) {
                lines += policies.sorted { $0.key < $1.key }.map { "policy \(family.rawValue) \($0.key.rawValue) \($0.value.rawValue)" }
            }
            lines += host.rules.map { "host " + line($0.family, $0.table, $0.chain, $0.rule) }
        }
        lines += raw.map { "raw -t \($0.table.rawValue) " + $0.restoreArguments.joined(separator: " ") }
        let digest = SHA256.hash(data: Array(lines.joined(separator: "\n").utf8))
        let hash = hex(Array(digest.prefix(ChainName.hashLength / 2)))

        func final(_ unhashed: String) -> String {
            ChainName(partition: name, kind: ChainName.Kind(rawValue: unhashed.last!)!, hash: hash).description
        }
        func renamed(_ rule: Rule) -> Rule {
            guard case .jump(let chain) = rule.target else { return rule }
            return rule.with(.jump(final(chain)))
        }
        return ChainSet(
            partition: name,
            hash: hash,
            location: partition.location,
            chains: chains.filter { families.contains($0.0) }.map { Chain(family: $0.0, table: $0.1, name: final($0.2), rules: $0.3) },
            pointers: pointers.flatMap { family, table, chain, rules in
                rules.map { Pointer(family: family, table: table, chain: chain, rule: renamed($0)) }
            },
            raw: raw,
            host: host)
    }
}

extension Array where Element: Hashable {
    /// The elements without repeats, first occurrence kept. Dropping a later
    /// copy of an earlier rule never changes what a chain does.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

/// Lowercase hex digits of BYTES: chain hashes, and the compile cache's file names.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}
