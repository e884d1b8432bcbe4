import RiptDSL

/// Validation, the compiler's checks of one partition: its name, its labels
/// and each rule's statements, checked and resolved (labels to addresses,
/// protocol names to numbers, port specs to ranges, raw lines to commands).
/// Every problem is reported at its location, and each only once.
extension PartitionCompilation {
    // MARK: Partition and labels

    mutating func checkName() {
        let at = partition.location
        if name.isEmpty {
            error("partition name is empty; name the partition, like Partition(\"joeblogsco\")", at: at)
        } else if name.contains(where: \.isWhitespace) {
            error("partition name '\(name)' can't contain whitespace; use '_' instead", at: at)
        } else if name.contains("-") {
            error("partition name '\(name)' can't contain dashes ('-'); use '_' instead", at: at)
        } else if !name.utf8.allSatisfy(ChainName.isPartitionNameByte) {
            error("partition name '\(name)' can only contain ASCII letters, digits, '_' and '.'", at: at)
        } else if name.count > maximumPartitionNameLength {
            error("partition name '\(name)' is \(name.count) characters; it cannot be longer than \(maximumPartitionNameLength) characters", at: at)
        }
    }

    mutating func define(_ label: Label) {
        if label.name.isEmpty {
            error("label name is empty; name the address, like Label(\"app-01\", address: \"192.0.2.10\")", at: label.location)
            refusedLabels.insert(label.name)
            return
        }
        if label.name == "all" {
            error("'all' is built in (every address) and can't be redefined; choose another label name", at: label.location)
            return
        }
        if let earlier = labels[label.name], let where_ = earlier.location {
            error("label '\(label.name)' is already defined in partition '\(name)'; give each address its own name",
                  at: label.location, notes: [.init("'\(label.name)' is first defined here", at: where_)])
            return
        }
        switch IPNetwork.parseClearingHostBits(label.address) {
        case .success(let (network, hostBits)):
            labels[label.name] = (.network(network, label: label.name), label.location)
            if hostBits { warnHostBits(label, network: network) }
        case .failure(let failure):
            error("label '\(label.name)': \(failure.message)", at: label.location)
            refusedLabels.insert(label.name)
        }
    }

    /// `192.168.23.70/27` means the network 192.168.23.64/27 to iptables and
    /// the original Ript, so ript takes it so too, but says so: the address
    /// may have been meant as a host.
    mutating func warnHostBits(_ label: Label, network: IPNetwork) {
        let host = label.address.split(separator: "/")[0]
        warning("label '\(label.name)': '\(label.address)' has host bits set beyond /\(network.prefixLength), so it means the network \(network.cidr); write address: \"\(network.cidr)\" to say so, or address: \"\(host)\" for the host alone",
                at: label.location)
    }

    /// The address of a label used in a role ("a from", "a dnat private",
    /// …). `written` is the statement that uses it, as it would be written
    /// with the label replaced by another name: for an address written where
    /// the label belongs, the error shows the statement to write.
    mutating func resolve(_ label: String, role: String, at location: SourceLocation, written: (String) -> String) -> LabelAddress? {
        if let found = labels[label] { return found.address }
        // Its definition was refused, and said why.
        if refusedLabels.contains(label) { return nil }
        if case .success(let (network, _)) = IPNetwork.parseClearingHostBits(label) {
            let named = labelName(for: network)
            error("'\(label)' (\(role)) is an address, and rules name addresses by label: add Label(\"\(named)\", address: \"\(network)\") to partition '\(name)' and write \(written(named))",
                  at: location)
            return nil
        }
        var message = "address '\(label)' (\(role)) isn't defined; add Label(\"\(label)\", address: \"…\") to partition '\(name)'"
        if let suggestion = suggestion(for: label, among: labels.keys) { message += ", or did you mean '\(suggestion)'?" }
        error(message, at: location)
        return nil
    }

    /// A label name for an address written where a label belongs:
    /// `host-192-0-2-10`, `net-198-51-100-0-24`, `net-2001-db8-64`.
    func labelName(for network: IPNetwork) -> String {
        let parts = network.description.split { !$0.isHexDigit }.map(String.init)
        return ([network.isHost ? "host" : "net"] + parts).joined(separator: "-")
    }

    /// A single address for a NAT target: `role` names it in the error.
    mutating func resolveHost(_ label: String, role: String, at location: SourceLocation, written: (String) -> String) -> IPNetwork? {
        switch resolve(label, role: role, at: location, written: written) {
        case nil: return nil
        case .all?:
            error("\(role) 'all' is every address; translation needs a single address", at: location)
            return nil
        case .network(let network, _)? where !network.isHost:
            error("\(role) '\(label)' is the network \(network.cidr); translation needs a single address", at: location)
            return nil
        case .network(let network, _)?:
            return network
        }
    }

    // MARK: Rule bodies

    /// A rule body's statements, checked and resolved.
    struct Body {
        var protocols: [IPProtocol?] = []
        var ports: [(spec: PortUse, location: SourceLocation)] = []
        var portsLocation: SourceLocation?
        var explicitProtocols: SourceLocation?
        var froms: [LabelAddress] = []
        var fromLocation: SourceLocation?
        var tos: [LabelAddress] = []
        var toLocation: SourceLocation?
        var interface: String?
        var interfaceLocation: SourceLocation?
        var outInterface: String?
        var outInterfaceLocation: SourceLocation?
        var sourcePorts: [PortRange] = []
        var sourcePortsLocation: SourceLocation?
        /// The ICMP (IPv4) and ICMPv6 (IPv6) types, and where each word is.
        var icmpTypes: [Family: [ICMPType]] = [:]
        var icmpLocations: [Family: SourceLocation] = [:]
        var states: ConnectionStates?
        var limit: RateLimit?
        var loopback: SourceLocation?
        var directions: [Direction] = []
        /// A Masquerade's private labels.
        var masquerades: [LabelAddress] = []
        var masqueradeLocation: SourceLocation?
        /// (public, private) pairs.
        var dnats: [(LabelAddress, IPNetwork)] = []
        /// Each DNAT statement that resolved, with its private address's family.
        var dnatStatements: [(mapping: LabelMapping, family: Family, location: SourceLocation)] = []
        /// (private, public) pairs.
        var snats: [(LabelAddress, IPNetwork)] = []
    }

    enum PortUse {
        case port(PortRange)
        case mapping(PortRange, to: UInt16)
    }

    enum RuleKind {
        case filter(FilterAction)
        case rewrite
    }

    mutating func body(_ statements: [RuleStatement], kind: RuleKind, word: String) -> Body {
        var body = Body()
        for statement in statements {
            switch statement {
            case .protocols(let list):
                if list.protocols.isEmpty { error("Protocols needs at least one protocol, like Protocols(\"udp\")", at: list.location) }
                body.explicitProtocols = body.explicitProtocols ?? list.location
                for spec in list.protocols {
                    switch resolveProtocol(spec, at: list.location) {
                    case .any: body.protocols.append(nil)
                    case .protocol(let value): body.protocols.append(value)
                    case .unknown: continue
                    }
                }
            case .ports(let list):
                if list.ports.isEmpty { error("Ports needs at least one port, like Ports(80, 443)", at: list.location) }
                body.portsLocation = body.portsLocation ?? list.location
                for spec in list.ports {
                    guard let use = portUse(spec, at: list.location) else { continue }
                    if case .filter = kind, case .mapping = use {
                        error("a port mapping (\(render(spec))) only means something in a Rewrite; in \(word) write the port itself", at: list.location)
                        continue
                    }
                    body.ports.append((use, list.location))
                }
            case .from(let from):
                if from.labels.isEmpty { error("From needs at least one label, like From(\"office\")", at: from.location) }
                body.fromLocation = body.fromLocation ?? from.location
                for label in from.labels {
                    let network = resolve(label, role: "a from", at: from.location) { written("From", from.labels.replacingLabel(label, with: $0)) }
                    if let network { body.froms.append(network) }
                }
            case .to(let to):
                if case .rewrite = kind {
                    checkRewriteTo(to, among: statements)
                    continue
                }
                if to.labels.isEmpty { error("To needs at least one label, like To(\"app-01\")", at: to.location) }
                body.toLocation = body.toLocation ?? to.location
                for label in to.labels {
                    let network = resolve(label, role: "a to", at: to.location) { written("To", to.labels.replacingLabel(label, with: $0)) }
                    if let network { body.tos.append(network) }
                }
            case .interface(let interface):
                if body.interface != nil {
                    error("a rule has one Interface; write another rule for the second interface", at: interface.location)
                } else if let problem = interfaceProblem(interface.name) {
                    error("interface '\(interface.name)' \(problem)", at: interface.location)
                } else {
                    body.interface = interface.name
                    body.interfaceLocation = interface.location
                }
            case .dnat(let dnat):
                let pairs = translation(dnat.mapping, "DNAT", from: "public", to: "private", in: kind, word: word, at: dnat.location)
                body.dnats += pairs
                if let family = pairs.first?.1.family { body.dnatStatements.append((dnat.mapping, family, dnat.location)) }
            case .snat(let snat):
                body.snats += translation(snat.mapping, "SNAT", from: "private", to: "public", in: kind, word: word, at: snat.location)
            default:
                match(statement, into: &body, kind: kind, word: word)
            }
        }
        return body
    }

    /// A To in a Rewrite adds nothing, as in the original Ript: a DNAT's
    /// traffic goes to its public labels already. So a To may name those
    /// (some or all of them), and is an error naming anything else.
    mutating func checkRewriteTo(_ to: To, among statements: [RuleStatement]) {
        let dnats = statements.compactMap { statement -> DNAT? in
            if case .dnat(let dnat) = statement { return dnat }
            return nil
        }
        let publics = dnats.flatMap(\.mapping.from)
        guard !publics.isEmpty else {
            error("To isn't used in a Rewrite; DNAT(\"public\" => \"private\") names where traffic goes", at: to.location)
            return
        }
        if to.labels.isEmpty { error("To needs at least one label, like To(\"app-01\")", at: to.location) }
        let publicSet = Set(publics)
        let others = to.labels.filter { !publicSet.contains($0) }
        guard !others.isEmpty else { return }
        let contradicted = dnats.prefix(3).map { written("DNAT", $0.mapping.from, $0.mapping.to) } + (dnats.count > 3 ? ["more"] : [])
        error("\(written("To", others)) contradicts \(contradicted.joined(separator: " and ")): a Rewrite's traffic goes to its DNAT's public side; remove the To, or write \(written("To", publics.uniqued()))",
              at: to.location)
    }

    /// The (from, to) address pairs of a DNAT or SNAT: each label left of
    /// `=>` with the single address right of it, of the same family (or `all`).
    mutating func translation(
        _ mapping: LabelMapping, _ nat: String, from fromRole: String, to toRole: String,
        in kind: RuleKind, word: String, at location: SourceLocation
    ) -> [(LabelAddress, IPNetwork)] {
        guard case .rewrite = kind else {
            error("\(nat) belongs in a Rewrite, not in \(word); write Rewrite(\"…\") { \(nat)(\"\(fromRole)\" => \"\(toRole)\") }", at: location)
            return []
        }
        if mapping.from.isEmpty { error("\(nat) needs at least one \(fromRole) label before '=>'", at: location) }
        let role = nat.lowercased()
        guard let target = resolveHost(mapping.to, role: "a \(role) \(toRole)", at: location, written: { written(nat, mapping.from, $0) })
        else { return [] }
        return mapping.from.compactMap { label in
            let address = resolve(label, role: "a \(role) \(fromRole)", at: location) {
                written(nat, mapping.from.replacingLabel(label, with: $0), mapping.to)
            }
            guard let address else { return nil }
            if case .network(let network, _) = address, network.family != target.family {
                error("\(nat)(\"\(label)\" => \"\(mapping.to)\") mixes address families ('\(label)' is \(network.family.name), '\(mapping.to)' is \(target.family.name)); \(nat) translates within one family, so give it an \(target.family.name) \(fromRole) label", at: location)
                return nil
            }
            return (address, target)
        }
    }

    /// A protocol spec, looked up; an unknown one is reported.
    mutating func resolveProtocol(_ spec: ProtocolSpec, at location: SourceLocation) -> ProtocolTable.Lookup {
        let lookup: ProtocolTable.Lookup
        switch spec {
        case .name(let text): lookup = protocols.lookup(name: text)
        case .number(let number): lookup = protocols.lookup(number: number)
        }
        if lookup == .unknown {
            switch spec {
            case .number(let number):
                error("protocol number \(number) is outside 0–255", at: location)
            case .name(let text):
                var message = "unknown protocol '\(text)'; use a name from /etc/protocols or a number from 0 to 255"
                if let suggestion = suggestion(for: text, among: protocols.names) { message += "; did you mean '\(suggestion)'?" }
                error(message, at: location)
            }
        }
        return lookup
    }

    mutating func portUse(_ spec: PortSpec, at location: SourceLocation) -> PortUse? {
        switch spec {
        case .port, .range:
            return portRange(spec, at: location).map(PortUse.port)
        case .mapping(let from, let to):
            guard case .port(let target) = to else {
                error("a port mapping maps to one port, not \(render(to)); write it like 2222 => 22", at: location)
                return nil
            }
            if case .mapping = from {
                error("a port mapping can't be chained (\(render(spec))); write it like 2222 => 22", at: location)
                return nil
            }
            guard let range = portRange(from, at: location), let port = port(target, at: location) else { return nil }
            return .mapping(range, to: port)
        }
    }

    mutating func portRange(_ spec: PortSpec, at location: SourceLocation) -> PortRange? {
        switch spec {
        case .port(let value):
            return port(value, at: location).map { PortRange($0, $0) }
        case .range(.port(let first), .port(let last)):
            guard let low = port(first, at: location), let high = port(last, at: location) else { return nil }
            guard low <= high else {
                error("port range \(first)...\(last) is reversed; a range's start must be below its end: write \(last)...\(first)", at: location)
                return nil
            }
            return PortRange(low, high)
        default:
            error("a port range joins two ports, like 8000...8900, not \(render(spec))", at: location)
            return nil
        }
    }

    mutating func port(_ value: Int, at location: SourceLocation) -> UInt16? {
        guard (1...65535).contains(value) else {
            error("port \(value) is outside 1–65535", at: location)
            return nil
        }
        return UInt16(value)
    }

    func render(_ spec: PortSpec) -> String {
        switch spec {
        case .port(let value): "\(value)"
        case .range(let first, let last): "\(render(first))...\(render(last))"
        case .mapping(let from, let to): "\(render(from)) => \(render(to))"
        }
    }

    /// Why an interface name can't be matched, or nil: 1–15 characters of
    /// ASCII letters, digits, '.', '_' and '-', not starting with '-', with a
    /// '+' (prefix match) allowed only at the end. The kernel allows more, but
    /// no real interface needs it, and nothing else can pass for an option
    /// or shell syntax in generated output.
    func interfaceProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty || bytes.count > 15 { return "must be 1 to 15 characters long" }
        if bytes.first == UInt8(ascii: "-") { return "can't start with '-'" }
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "+") where index == bytes.count - 1 && index > 0:
                continue
            case UInt8(ascii: "+"):
                return "can have '+' only at the end, after a prefix (vlan+ matches every vlan interface)"
            default:
                return "can only contain ASCII letters, digits, '.', '_' and '-', and a final '+'"
            }
        }
        return nil
    }

    /// Every label of one side (`From`) needs something of its family on the
    /// other (`To` labels, or `all`, whose family is nil); otherwise it could
    /// only form pairs that mix families, which no rule can match.
    mutating func checkPartners(_ labels: [LabelAddress], _ role: String, among partners: [Family?], _ partnerRole: String, word: String, at location: SourceLocation) {
        guard !partners.isEmpty else { return }
        for case .network(let network, let label) in labels where !partners.contains(where: { $0 == nil || $0 == network.family }) {
            error("\(role) '\(label)' is \(network.family.name) and every \(partnerRole) of this \(word) is \(network.family.other.name); a rule matches one address family, so pair \(network.family.name) labels with \(network.family.name) labels",
                  at: location)
        }
    }

    /// A protocol of one family alone (icmp is IPv4's, ipv6-icmp IPv6's)
    /// needs the rule to be in that family: for some pair of its labels, or
    /// through 'all'. In the rule's other family it is left out.
    mutating func checkProtocolFamilies(_ protocols: [IPProtocol?], in families: Set<Family>, at location: SourceLocation) {
        guard !families.isEmpty else { return }
        for case let ipProtocol? in protocols {
            guard let own = ipProtocol.onlyIn, !families.contains(own) else { continue }
            let other = own.other
            let instead = other == .ipv6 ? "ipv6-icmp" : "icmp"
            error("protocol '\(ipProtocol.name)' is \(own.name) only and this rule's addresses are \(other.name); use '\(instead)' for \(other == .ipv6 ? "ICMPv6" : "ICMP")",
                  at: location)
        }
    }

    /// Ports and SourcePorts need every protocol of the rule to have ports.
    mutating func checkPortsHaveProtocol(_ body: Body, protocols: [IPProtocol?]) {
        let words = [(body.portsLocation, !body.ports.isEmpty, "Ports"), (body.sourcePortsLocation, !body.sourcePorts.isEmpty, "SourcePorts")]
        for case let (location?, true, word) in words {
            for ipProtocol in protocols where !(ipProtocol?.hasPorts ?? false) {
                let name = ipProtocol?.name ?? "all"
                error("ports need protocol tcp or udp, and '\(name)' has no ports ript can match; remove \(word) or list only tcp and udp in Protocols",
                      at: body.explicitProtocols ?? location)
            }
        }
    }

    /// Counts the rules a rule expands to at most (the product of `factors`);
    /// past the partition's limit, an error at the rule, once, and false.
    mutating func withinLimit(_ factors: [Int], at location: SourceLocation) -> Bool {
        let count = saturatingProduct(factors)
        guard expansion <= maximumRulesPerPartition else { return false }
        let (total, overflow) = expansion.addingReportingOverflow(count)
        expansion = overflow ? .max : total
        guard expansion > maximumRulesPerPartition else { return true }
        error("partition '\(name)' expands to more than \(maximumRulesPerPartition) iptables rules with this rule, which makes up to \(count == .max ? "billions" : "\(count)") of them; label networks rather than many single addresses, or split the partition",
              at: location)
        return false
    }

    mutating func parse(_ block: Raw) {
        var number = 0
        for line in block.text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.trimmingWhitespace
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            switch RawCommand.parse(trimmed) {
            case .success(let command): raw.append(command)
            case .failure(let failure):
                let shown = trimmed.count > 100 ? trimmed.prefix(100) + "…" : trimmed
                error("raw line \(number) ('\(shown)') \(failure.message)", at: block.location)
            }
        }
    }
}

/// A word and its labels as a rule file writes them, `From("office",
/// "web")`; a long list is cut short (it can be thousands long).
func written(_ word: String, _ labels: [String]) -> String {
    "\(word)(\(quoted(labels)))"
}

/// A translation as a rule file writes it: `DNAT("public" => "web")`,
/// `SNAT(["office", "lab"] => "public")`.
func written(_ nat: String, _ from: [String], _ to: String) -> String {
    "\(nat)(\(from.count == 1 ? quoted(from) : "[\(quoted(from))]") => \(quoted([to])))"
}

private func quoted(_ labels: [String]) -> String {
    labels.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ") + (labels.count > 5 ? ", …" : "")
}

extension [String] {
    /// The labels with one replaced by another name, wherever it stands.
    func replacingLabel(_ label: String, with name: String) -> [String] {
        map { $0 == label ? name : $0 }
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
