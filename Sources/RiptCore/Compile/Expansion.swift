import RiptDSL

/// Expansion: each checked rule of a partition into the iptables rules of
/// its chains, and the pointers (jumps from the hook chains) that lead
/// traffic to them, in the families its addresses are in.
extension PartitionCompilation {
    /// `Accept/Drop/Reject/Log`: for each from × to of one family, in that
    /// family (in both for `all` × `all`), a pointer on the destination and
    /// one rule per protocol (or ICMP type) × source port × port, in the
    /// hooks of its direction. A pair that mixes families is left out; a
    /// label with no partner of its family at all is an error.
    mutating func expand(_ rule: FilterRule) {
        let word = rule.action.word
        let body = body(rule.statements, kind: .filter(rule.action), word: word)
        guard let hooks = hooks(of: body.directions) else { return }
        let directed = !body.directions.isEmpty
        checkDirections(body, hooks: hooks, directed: directed)
        let protocols = filterProtocols(body, at: rule.location)
        checkPortsHaveProtocol(body, protocols: protocols)
        checkTarget(rule, body: body, protocols: protocols)
        let action = Target(rule)
        let froms = body.froms.orAll, tos = body.tos.orAll
        // Loopback: `-i lo` to the host and `-o lo` from it, each where the rule applies.
        let variants: [(inInterface: String?, outInterface: String?, hooks: Set<Hook>)] = body.loopback == nil
            ? [(body.interface, body.outInterface, hooks)]
            : [("lo", nil, hooks.intersection([.input])), (nil, "lo", hooks.intersection([.output]))].filter { !$0.hooks.isEmpty }
        // Pairs of `all` are in both families; a LOG rule goes before each rule when logging; an
        // undirected rule of a directed partition goes into all three of its chains.
        let pairCount = saturatingProduct([froms.count, tos.count]), allPairs = froms.filter { $0 == .all }.count * tos.filter { $0 == .all }.count
        let types = max(1, body.icmpTypes.values.map(\.count).max() ?? 1)
        let chains = isDirected ? hooks.count : 1
        guard withinLimit([pairCount == .max ? .max : pairCount + allPairs, protocols.count, types, max(1, body.ports.count),
                           max(1, body.sourcePorts.count), max(1, variants.count), chains, rule.log ? 2 : 1], at: rule.location)
        else { return }
        checkPartners(froms, "From", among: tos.map(\.family), "To", word: word, at: body.fromLocation ?? rule.location)
        checkPartners(tos, "To", among: froms.map(\.family), "From", word: word, at: rule.location)
        let pairs = froms.flatMap { from in tos.compactMap { to in families(of: [from, to]).map { (from, to, $0) } } }
        let pairFamilies = Set(pairs.flatMap(\.2))
        if body.icmpTypes.isEmpty || body.explicitProtocols != nil {
            checkProtocolFamilies(protocols, in: pairFamilies, at: body.explicitProtocols ?? rule.location)
        }
        for (family, location) in body.icmpLocations.sorted(by: { $0.key < $1.key }) where !pairs.isEmpty && !pairFamilies.contains(family) {
            error("\(ICMPTypeNames.word(family)) matches \(family.name) and this rule's addresses are \(family.other.name) only; use \(ICMPTypeNames.word(family.other)) for \(family.other.name)",
                  at: location)
        }
        let comment = comment(rule.description, at: rule.location)
        let log = rule.log && rule.action != .log
        for (from, to, families) in pairs {
            for family in families {
                let familyProtocols = protocols.filter { $0?.onlyIn ?? family == family }
                // Only the other family's ICMP: nothing to match in this one.
                if familyProtocols.isEmpty { continue }
                filterPointers.append((Rule(family, destination: to.network(in: family), target: .jump(filterChain)), variants.reduce([]) { $0.union($1.hooks) }))
                for variant in variants {
                    for ipProtocol in familyProtocols {
                        let icmpTypes: [ICMPType?] = ipProtocol?.onlyIn == family ? body.icmpTypes[family].map { $0.map(Optional.some) } ?? [nil] : [nil]
                        for icmpType in icmpTypes {
                            for sourcePort in body.sourcePorts.isEmpty ? [nil] : body.sourcePorts.map(Optional.some) {
                                for destinationPort in body.ports.isEmpty ? [nil] : body.ports.compactMap(\.spec.range) {
                                    let expanded = Rule(
                                        family, source: from.network(in: family), destination: to.network(in: family),
                                        inInterface: variant.inInterface, outInterface: variant.outInterface, ipProtocol: ipProtocol,
                                        sourcePort: sourcePort, destinationPort: destinationPort, icmpType: icmpType,
                                        states: body.states, limit: body.limit, comment: comment, target: action)
                                    appendFilter(expanded, hooks: variant.hooks, log: log)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A filter rule's protocols: as written, or tcp; with ICMP or ICMPv6,
    /// their protocols (and only those may be written).
    mutating func filterProtocols(_ body: Body, at location: SourceLocation) -> [IPProtocol?] {
        guard !body.icmpLocations.isEmpty else {
            return body.explicitProtocols == nil ? [IPProtocol.tcp] : body.protocols
        }
        let icmp = [Family.ipv4, .ipv6].filter { body.icmpLocations[$0] != nil }.map(icmpProtocol)
        guard let written = body.explicitProtocols else { return icmp }
        for ipProtocol in body.protocols where ipProtocol?.onlyIn == nil {
            error("ICMP and ICMPv6 match ICMP types, so the rule's protocols are icmp and ipv6-icmp, not '\(ipProtocol?.name ?? "all")'; remove Protocols, or list only those",
                  at: written)
        }
        for (family, typesAt) in body.icmpLocations.sorted(by: { $0.key < $1.key }) where !body.protocols.contains(icmpProtocol(family)) {
            error("\(ICMPTypeNames.word(family)) needs protocol '\(icmpProtocol(family).name)', which Protocols leaves out; add it, or remove Protocols",
                  at: typesAt)
        }
        return body.protocols
    }

    /// ICMP's protocol in a family: icmp (1) or ipv6-icmp (58), named as the protocol table names it.
    func icmpProtocol(_ family: Family) -> IPProtocol {
        protocols.protocol(number: family == .ipv4 ? 1 : 58)
    }

    /// A Reject's answer and a Log's prefix: tcp-reset needs tcp alone; a
    /// prefix is at most 29 bytes of printable ASCII without quotes or backslashes.
    mutating func checkTarget(_ rule: FilterRule, body: Body, protocols: [IPProtocol?]) {
        if rule.action == .reject, rule.rejectWith == .tcpReset, protocols.contains(where: { $0 != .tcp }) {
            error("Reject with: .tcpReset answers with a TCP reset, so its protocols must be tcp alone; remove the others from Protocols, or answer with another reply",
                  at: body.explicitProtocols ?? rule.location)
        }
        if rule.action == .log, let prefix = rule.logPrefix {
            let bytes = Array(prefix.utf8)
            if bytes.count > 29 {
                error("log prefix '\(prefix.prefix(40))' is \(bytes.count) bytes; the kernel keeps 29 at most: write a shorter one", at: rule.location)
            } else if !bytes.allSatisfy({ (0x20...0x7E).contains($0) && !"\"'\\".utf8.contains($0) }) {
                error("log prefix '\(prefix)' can only contain printable ASCII without quotes or backslashes; write it without them", at: rule.location)
            }
        }
    }

    /// `Rewrite`: DNAT pairs with their accepts, then SNAT pairs with theirs,
    /// then Masquerades with theirs, each in the family of its translated
    /// address; the accepts go to FORWARD only, where rewritten traffic goes.
    mutating func expand(_ rewrite: Rewrite) {
        let body = body(rewrite.statements, kind: .rewrite, word: "Rewrite")
        refuseDirections(body, in: rewrite)
        if body.dnats.isEmpty && body.snats.isEmpty && body.masquerades.isEmpty && !rewrite.statements.contains(where: \.isTranslation) {
            error("a Rewrite needs DNAT(\"public\" => \"private\"), SNAT(\"private\" => \"public\") or Masquerade(\"private\")", at: rewrite.location)
        }
        if !rewrite.statements.contains(where: \.isDNAT) {
            for case let (location?, word) in [(body.portsLocation, "Ports"), (body.explicitProtocols, "Protocols"), (body.fromLocation, "From"),
                                               (body.interfaceLocation, "Interface")] {
                error("\(word) in a Rewrite applies to DNAT, and this Rewrite has none; SNAT translates all traffic from its private labels", at: location)
            }
        }
        let hasSource = rewrite.statements.contains { if case .snat = $0 { true } else if case .masquerade = $0 { true } else { false } }
        if let location = body.outInterfaceLocation, !hasSource {
            error("OutInterface in a Rewrite applies to SNAT and Masquerade, and this Rewrite has none; a DNAT's arriving interface is Interface(\"…\")",
                  at: location)
        }
        if let location = body.masqueradeLocation, body.outInterfaceLocation == nil {
            error("Masquerade needs OutInterface(\"…\"), the interface whose address traffic leaves with; add OutInterface(\"wan0\") to this Rewrite",
                  at: location)
        }
        // A DNAT with no ports and no protocols rewrites the whole address (1:1).
        let protocols: [IPProtocol?] = body.explicitProtocols != nil ? body.protocols : body.ports.isEmpty ? [nil] : [.tcp]
        checkPortsHaveProtocol(body, protocols: protocols)
        let log = rewrite.log
        // A DNAT and its accept per from, port and protocol, an SNAT and its accept per pair; LOG rules double them.
        guard withinLimit([body.dnats.count, max(1, body.froms.count), max(1, body.ports.count), protocols.count, 2, log ? 2 : 1], at: rewrite.location),
            withinLimit([body.snats.count + 2 * body.masquerades.count, 2, log ? 2 : 1], at: rewrite.location)
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
        let comment = comment(rewrite.description, at: rewrite.location)
        for (publicAddress, privateAddress) in body.dnats {
            let family = privateAddress.family
            let familyProtocols = protocols.filter { $0?.onlyIn ?? family == family }
            let froms = body.froms.orAll.filter { $0.family ?? family == family }.map { $0.network(in: family) }
            // Only the other family's ICMP: nothing to translate in this one,
            // so no pointers either (a partition has chains only in the
            // families it has rules in).
            if familyProtocols.isEmpty || froms.isEmpty { continue }
            filterPointers.append((Rule(family, destination: privateAddress, target: .jump(filterChain)), [.forward]))
            dnatPointers.append(Rule(family, destination: publicAddress.network(in: family), target: .jump(dnatChain)))
            let uses: [PortUse?] = body.ports.isEmpty ? [nil] : body.ports.map(\.spec)
            for use in uses {
                for ipProtocol in familyProtocols {
                    for from in froms {
                        var translate = Rule(family, source: from, destination: publicAddress.network(in: family), inInterface: body.interface,
                                             ipProtocol: ipProtocol, comment: comment, target: .dnat(address: privateAddress.address, port: nil))
                        var accept = Rule(family, source: from, destination: privateAddress, inInterface: body.interface, ipProtocol: ipProtocol,
                                          comment: comment, target: .accept)
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
                        appendFilter(accept, hooks: [.forward], log: log)
                    }
                }
            }
        }
        let sources = body.snats.map { ($0.0, $0.1.family, Target.snat(address: $0.1.address)) }
            + body.masquerades.flatMap { label in (label.family.map { [$0] } ?? Family.allCases).map { (label, $0, Target.masquerade) } }
        for (privateAddress, family, target) in sources {
            let source = privateAddress.network(in: family)
            filterPointers.append((Rule(family, source: source, target: .jump(filterChain)), [.forward]))
            snatPointers.append(Rule(family, source: source, target: .jump(snatChain)))
            let translate = Rule(family, source: source, outInterface: body.outInterface, comment: comment, target: target)
            append(translate, to: \.snatRules, log: log)
            appendFilter(translate.with(.accept), hooks: [.forward], log: log)
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

    /// Appends a filter rule for the hooks it applies in, after a LOG rule with the same matches when logging.
    mutating func appendFilter(_ rule: Rule, hooks: Set<Hook>, log: Bool) {
        if log { filterRules.append((rule.with(.log(.standard)), hooks)) }
        filterRules.append((rule, hooks))
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

extension PartitionCompilation.PortUse {
    /// A port or range matched as written; nil for a mapping.
    var range: PortRange? {
        if case .port(let range) = self { return range }
        return nil
    }
}

extension RuleStatement {
    var isDNAT: Bool {
        if case .dnat = self { return true }
        return false
    }

    var isTranslation: Bool {
        switch self {
        case .dnat, .snat, .masquerade: true
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
