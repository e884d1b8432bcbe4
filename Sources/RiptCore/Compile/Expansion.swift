import RiptDSL

/// Expansion: each checked rule of a partition into the iptables rules of
/// its chains, and the pointers (jumps from the hook chains) that lead
/// traffic to them, in the families its addresses are in.
extension PartitionCompilation {
    /// `Accept/Drop/Reject/Log`: for each from × to of one family, in that
    /// family (in both for `all` × `all`), a pointer on the destination and
    /// one rule per protocol × port. A pair that mixes families is left out;
    /// a label with no partner of its family at all is an error.
    mutating func expand(_ rule: FilterRule) {
        let word = rule.action.word
        let body = body(rule.statements, kind: .filter(rule.action), word: word)
        let protocols = body.explicitProtocols == nil ? [IPProtocol.tcp] : body.protocols
        checkPortsHaveProtocol(body, protocols: protocols)
        let action = Target(rule)
        let froms = body.froms.orAll, tos = body.tos.orAll
        // Pairs of `all` are in both families; a LOG rule goes before each rule when logging.
        let pairCount = saturatingProduct([froms.count, tos.count]), allPairs = froms.filter { $0 == .all }.count * tos.filter { $0 == .all }.count
        guard withinLimit([pairCount == .max ? .max : pairCount + allPairs, protocols.count, max(1, body.ports.count), rule.log ? 2 : 1], at: rule.location)
        else { return }
        checkPartners(froms, "From", among: tos.map(\.family), "To", word: word, at: body.fromLocation ?? rule.location)
        checkPartners(tos, "To", among: froms.map(\.family), "From", word: word, at: rule.location)
        let pairs = froms.flatMap { from in tos.compactMap { to in families(of: [from, to]).map { (from, to, $0) } } }
        checkProtocolFamilies(protocols, in: Set(pairs.flatMap(\.2)), at: body.explicitProtocols ?? rule.location)
        for (from, to, families) in pairs {
            for family in families {
                let familyProtocols = protocols.filter { $0?.onlyIn ?? family == family }
                // Only the other family's ICMP: nothing to match in this one.
                if familyProtocols.isEmpty { continue }
                filterPointers.append(Rule(family, destination: to.network(in: family), target: .jump(filterChain)))
                for ipProtocol in familyProtocols {
                    let base = Rule(family, source: from.network(in: family), destination: to.network(in: family),
                                    inInterface: body.interface, ipProtocol: ipProtocol, target: action)
                    if body.ports.isEmpty {
                        append(base, to: \.filterRules, log: rule.log && rule.action != .log)
                    }
                    for case (.port(let range), _) in body.ports {
                        var ported = base
                        ported.destinationPort = range
                        append(ported, to: \.filterRules, log: rule.log && rule.action != .log)
                    }
                }
            }
        }
    }

    /// `Rewrite`: DNAT pairs with their accepts, then SNAT pairs with theirs,
    /// each in the family of its translated address.
    mutating func expand(_ rewrite: Rewrite) {
        let body = body(rewrite.statements, kind: .rewrite, word: "Rewrite")
        if body.dnats.isEmpty && body.snats.isEmpty && !rewrite.statements.contains(where: \.isTranslation) {
            error("a Rewrite needs DNAT(\"public\" => \"private\") or SNAT(\"private\" => \"public\")", at: rewrite.location)
        }
        if !rewrite.statements.contains(where: \.isDNAT) {
            for case let (location?, word) in [(body.portsLocation, "Ports"), (body.explicitProtocols, "Protocols"), (body.fromLocation, "From")] {
                error("\(word) in a Rewrite applies to DNAT, and this Rewrite has none; SNAT translates all traffic from its private labels", at: location)
            }
        }
        // A DNAT with no ports and no protocols rewrites the whole address (1:1).
        let protocols: [IPProtocol?] = body.explicitProtocols != nil ? body.protocols : body.ports.isEmpty ? [nil] : [.tcp]
        checkPortsHaveProtocol(body, protocols: protocols)
        let log = rewrite.log
        // A DNAT and its accept per from, port and protocol, an SNAT and its accept per pair; LOG rules double them.
        guard withinLimit([body.dnats.count, max(1, body.froms.count), max(1, body.ports.count), protocols.count, 2, log ? 2 : 1], at: rewrite.location),
            withinLimit([body.snats.count, 2, log ? 2 : 1], at: rewrite.location)
        else { return }
        // Each From label applies to the DNATs of its family.
        checkPartners(body.froms, "From", among: body.dnats.map(\.1.family), "DNAT", word: "Rewrite", at: body.fromLocation ?? rewrite.location)
        // And each DNAT needs a From of its family (or none given, or 'all'),
        // or it would translate nothing; reported unless no From has a DNAT
        // of its family either (then the From is reported, once).
        if !body.froms.isEmpty, body.froms.contains(where: { from in body.dnats.contains { from.family ?? $0.1.family == $0.1.family } }) {
            for dnat in body.dnatStatements where !body.froms.contains(where: { $0.family ?? dnat.family == dnat.family }) {
                error("\(written("DNAT", dnat.mapping.from, dnat.mapping.to)) is \(dnat.family.name) and every From of this Rewrite is \(dnat.family.other.name); a rule matches one address family, so give it an \(dnat.family.name) From label (or 'all'), or put it in a Rewrite of its own",
                      at: dnat.location)
            }
        }
        checkProtocolFamilies(protocols, in: Set(body.dnats.map(\.1.family)), at: body.explicitProtocols ?? rewrite.location)
        for (publicAddress, privateAddress) in body.dnats {
            let family = privateAddress.family
            let familyProtocols = protocols.filter { $0?.onlyIn ?? family == family }
            let froms = body.froms.orAll.filter { $0.family ?? family == family }.map { $0.network(in: family) }
            // Only the other family's ICMP: nothing to translate in this one,
            // so no pointers either (a partition has chains only in the
            // families it has rules in).
            if familyProtocols.isEmpty || froms.isEmpty { continue }
            filterPointers.append(Rule(family, destination: privateAddress, target: .jump(filterChain)))
            dnatPointers.append(Rule(family, destination: publicAddress.network(in: family), target: .jump(dnatChain)))
            let uses: [PortUse?] = body.ports.isEmpty ? [nil] : body.ports.map(\.spec)
            for use in uses {
                for ipProtocol in familyProtocols {
                    for from in froms {
                        var translate = Rule(family, source: from, destination: publicAddress.network(in: family), ipProtocol: ipProtocol,
                                             target: .dnat(address: privateAddress.address, port: nil))
                        var accept = Rule(family, source: from, destination: privateAddress, ipProtocol: ipProtocol, target: .accept)
                        switch use {
                        case nil: break
                        case .port(let range)?:
                            translate.destinationPort = range
                            accept.destinationPort = range
                        case .mapping(let range, let port)?:
                            translate.destinationPort = range
                            translate.target = .dnat(address: privateAddress.address, port: port)
                            accept.destinationPort = PortRange(port, port)
                        }
                        append(translate, to: \.dnatRules, log: log)
                        append(accept, to: \.filterRules, log: log)
                    }
                }
            }
        }
        for (privateAddress, publicAddress) in body.snats {
            let family = publicAddress.family
            let source = privateAddress.network(in: family)
            filterPointers.append(Rule(family, source: source, target: .jump(filterChain)))
            snatPointers.append(Rule(family, source: source, target: .jump(snatChain)))
            append(Rule(family, source: source, target: .snat(address: publicAddress.address)), to: \.snatRules, log: log)
            append(Rule(family, source: source, target: .accept), to: \.filterRules, log: log)
        }
    }

    /// The families a rule over these labels is written in: the family of its
    /// labels, or both when every one is `all`; nil when they are of
    /// different families.
    func families(of addresses: [LabelAddress]) -> [Family]? {
        let chosen = Set(addresses.compactMap(\.family))
        guard chosen.count <= 1 else { return nil }
        return chosen.first.map { [$0] } ?? Family.allCases
    }

    /// Appends a rule, after a LOG rule with the same matches when logging.
    mutating func append(_ rule: Rule, to chain: WritableKeyPath<PartitionCompilation, [Rule]>, log: Bool) {
        if log { self[keyPath: chain].append(rule.with(.log(.standard))) }
        self[keyPath: chain].append(rule)
    }
}

/// The product, or `Int.max` when it is larger.
func saturatingProduct(_ factors: [Int]) -> Int {
    factors.reduce(1) { product, factor in
        let (value, overflow) = product.multipliedReportingOverflow(by: factor)
        return overflow ? .max : value
    }
}

extension RuleStatement {
    var isDNAT: Bool {
        if case .dnat = self { return true }
        return false
    }

    var isTranslation: Bool {
        switch self {
        case .dnat, .snat: true
        default: false
        }
    }
}

/// What a label stands for: `all` (every address, in both families) or
/// one family's network.
enum LabelAddress: Hashable {
    case all
    case network(IPNetwork, label: String)

    /// The label's family; nil for `all`, which is in both.
    var family: Family? {
        switch self {
        case .all: nil
        case .network(let network, _): network.family
        }
    }

    /// The network this means in a family's rules (`all` is its whole space).
    func network(in family: Family) -> IPNetwork {
        switch self {
        case .all: .any(family)
        case .network(let network, _): network
        }
    }
}

extension IPProtocol {
    /// The family a protocol belongs to alone: ICMP is IPv4's, ICMPv6 IPv6's.
    var onlyIn: Family? {
        switch number {
        case 1: .ipv4
        case 58: .ipv6
        default: nil
        }
    }
}

extension Array where Element == LabelAddress {
    /// The labels given, or `all` when none were.
    var orAll: [LabelAddress] { isEmpty ? [.all] : self }
}
