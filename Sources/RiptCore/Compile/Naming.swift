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
    /// `chains` holds the three chains in every family (the digest lists
    /// them all, so a partition's hash doesn't depend on its families); the
    /// chain set keeps those of `families`.
    func name(chains: [(Family, ChainName.Kind, [Rule])], families: Set<Family>) -> ChainSet {
        let pointers = Family.allCases.flatMap { family in
            [
                (family, Table.filter, Bootstrap.inputChain, filterPointers.filter { $0.family == family }.uniqued()),
                (family, Table.filter, Bootstrap.forwardChain, filterPointers.filter { $0.family == family }.uniqued()),
                (family, Table.filter, Bootstrap.outputChain, filterPointers.filter { $0.family == family }.uniqued()),
                (family, Table.nat, Bootstrap.snatChain, snatPointers.filter { $0.family == family }.uniqued()),
                (family, Table.nat, Bootstrap.dnatChain, dnatPointers.filter { $0.family == family }.uniqued()),
            ]
        }
        let chains = chains.map { family, kind, rules in (family, kind.table, unhashedName(kind), rules.uniqued()) }

        // The digest input: one line per chain, rule, pointer and raw command,
        // in iptables-save syntax with protocol numbers (so /etc/protocols
        // naming can't change it); IPv6 lines start with "-6", and the chains
        // (the same in both families) are listed once. Descriptions and file
        // paths are not in it.
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
            raw: raw)
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
