import RiptDSL

/// Validation of the rule-body words beyond addresses, ports and
/// translations: directions, the outgoing interface, source ports, ICMP
/// types, states, rate limits, loopback and Masquerade. Each is checked
/// where it is written; how they combine is checked when the rule expands.
extension PartitionCompilation {
    mutating func match(_ statement: RuleStatement, into body: inout Body, kind: RuleKind, word: String) {
        /// Words a Rewrite has no use for: its matches are its DNATs'.
        func filterOnly(_ name: String, at location: SourceLocation) -> Bool {
            guard case .rewrite = kind else { return true }
            error("\(name) isn't supported in a Rewrite; match it in an Accept, Drop, Reject or Log rule", at: location)
            return false
        }
        switch statement {
        case .direction(let direction):
            if direction.traffic.isEmpty {
                error("Direction needs at least one of .input, .forward and .output, like Direction(.input)", at: direction.location)
            }
            body.directions.append(direction)
        case .outInterface(let interface):
            if body.outInterface != nil {
                error("a rule has one OutInterface; write another rule for the second interface", at: interface.location)
            } else if let problem = interfaceProblem(interface.name) {
                error("interface '\(interface.name)' \(problem)", at: interface.location)
            } else {
                body.outInterface = interface.name
                body.outInterfaceLocation = interface.location
            }
        case .sourcePorts(let list):
            guard filterOnly("SourcePorts", at: list.location) else { return }
            if list.ports.isEmpty { error("SourcePorts needs at least one port, like SourcePorts(53)", at: list.location) }
            body.sourcePortsLocation = body.sourcePortsLocation ?? list.location
            for spec in list.ports {
                if case .mapping = spec {
                    error("a port mapping (\(render(spec))) only means something in a Rewrite's Ports; SourcePorts takes ports and ranges", at: list.location)
                    continue
                }
                if let range = portRange(spec, at: list.location) { body.sourcePorts.append(range) }
            }
        case .icmp(let icmp):
            icmpTypes(icmp.types, in: .ipv4, at: icmp.location, into: &body, allowed: filterOnly("ICMP", at: icmp.location))
        case .icmpv6(let icmp):
            icmpTypes(icmp.types, in: .ipv6, at: icmp.location, into: &body, allowed: filterOnly("ICMPv6", at: icmp.location))
        case .state(let state):
            guard filterOnly("State", at: state.location) else { return }
            if state.states.isEmpty { error("State needs at least one state, like State(.new)", at: state.location) }
            for value in state.states { body.states = (body.states ?? []).union(ConnectionStates(value)) }
        case .limit(let limit):
            guard filterOnly("Limit", at: limit.location) else { return }
            if body.limit != nil {
                error("a rule has one Limit; write another rule for another rate", at: limit.location)
            } else if let rate = rateLimit(limit) {
                body.limit = rate
            }
        case .loopback(let loopback):
            guard filterOnly("Loopback", at: loopback.location) else { return }
            body.loopback = loopback.location
        case .masquerade(let masquerade):
            guard case .rewrite = kind else {
                error("Masquerade belongs in a Rewrite, not in \(word); write Rewrite(\"…\") { Masquerade(\"private\"); OutInterface(\"wan0\") }",
                      at: masquerade.location)
                return
            }
            if masquerade.labels.isEmpty { error("Masquerade needs at least one label, like Masquerade(\"lan\")", at: masquerade.location) }
            body.masqueradeLocation = body.masqueradeLocation ?? masquerade.location
            for label in masquerade.labels {
                let address = resolve(label, role: "a masquerade private", at: masquerade.location) {
                    written("Masquerade", masquerade.labels.replacingLabel(label, with: $0))
                }
                if let address { body.masquerades.append(address) }
            }
        case .protocols, .ports, .from, .to, .interface, .dnat, .snat:
            break  // Validation's body(_:kind:word:) handles them.
        }
    }

    mutating func icmpTypes(_ specs: [ICMPTypeSpec], in family: Family, at location: SourceLocation, into body: inout Body, allowed: Bool) {
        guard allowed else { return }
        let word = ICMPTypeNames.word(family)
        if specs.isEmpty { error("\(word) needs at least one type, like \(word)(\"echo-request\")", at: location) }
        body.icmpLocations[family] = body.icmpLocations[family] ?? location
        for spec in specs {
            if let type = icmpType(spec, in: family, at: location) { body.icmpTypes[family, default: []].append(type) }
        }
    }

    /// A Limit as the kernel counts it; out of range, an error saying what fits.
    mutating func rateLimit(_ limit: Limit) -> RateLimit? {
        let written = "Limit(\(limit.rate), per: .\(limit.unit.rawValue)\(limit.burst == 5 ? "" : ", burst: \(limit.burst)"))"
        guard limit.rate >= 1 else {
            error("\(written): the rate is at least 1, like Limit(5, per: .second)", at: limit.location)
            return nil
        }
        guard (1...10_000).contains(limit.burst) else {
            error("\(written): the burst is 1 to 10000 (iptables' default is 5)", at: limit.location)
            return nil
        }
        guard let rate = RateLimit(rate: limit.rate, per: limit.unit, burst: limit.burst) else {
            error("\(written) is faster than iptables can count (at most 10000 per second); write a lower rate, or leave out the Limit",
                  at: limit.location)
            return nil
        }
        return rate
    }

    /// The provenance comment of every rule a DSL rule generates:
    /// `PARTITION FILE:LINE DESCRIPTION`, FILE the rule file's base name;
    /// bytes outside printable ASCII, and `"` `'` `\`, become `_`; at most 255 bytes.
    func comment(_ description: String, at location: SourceLocation) -> String {
        Self.comment("\(name) \(baseName(location.file)):\(location.line) \(description)")
    }

    /// Text made fit for `-m comment`: printable ASCII without quotes or backslashes, at most 255 bytes.
    static func comment(_ text: String) -> String {
        let bytes = text.utf8.prefix(1_000).map { byte -> UInt8 in
            (0x20...0x7E).contains(byte) && !"\"'\\".utf8.contains(byte) ? byte : UInt8(ascii: "_")
        }
        return String(decoding: bytes.prefix(255), as: UTF8.self)
    }
}

/// A path's last component: `examples/host.swift` is `host.swift`.
func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}
