import RiptDSL

/// Host settings: the `Policies` and `ConnectionTracking` of the one
/// partition that sets them, to the policies ript owns and the host-wide
/// rules at the head of the filter hook chains.
extension PartitionCompilation {
    /// The partition's host settings; nil when it sets none. Each family's
    /// policies are set once (a Policies without a family sets both), and
    /// ConnectionTracking once.
    mutating func hostSettings() -> HostSettings? {
        var policies: [Family: [Hook: Policy]] = [:]
        var policiesAt: [Family: SourceLocation] = [:]
        var tracking: ConnectionTracking?
        var first: SourceLocation?
        for statement in partition.statements {
            switch statement {
            case .policies(let set):
                first = first ?? set.location
                let families: [Family] = set.family.map { [$0 == .ipv4 ? .ipv4 : .ipv6] } ?? Family.allCases
                for family in families {
                    if let earlier = policiesAt[family] {
                        error("the \(family.name) policies are set twice; set each family's policies in one Policies (Policies without a family sets both)",
                              at: set.location, notes: [.init("they are first set here", at: earlier)])
                        continue
                    }
                    policiesAt[family] = set.location
                    policies[family] = [.input: set.input ?? .accept, .forward: set.forward ?? .accept, .output: set.output ?? .accept]
                }
            case .connectionTracking(let word):
                first = first ?? word.location
                if let tracking {
                    error("ConnectionTracking is given twice; it is host-wide, so once is all it takes: remove this one",
                          at: word.location, notes: [.init("it is first given here", at: tracking.location)])
                } else {
                    tracking = word
                }
            default: continue
            }
        }
        guard let first else { return nil }
        var rules: [Pointer] = []
        func add(_ family: Family, _ hook: Hook, _ rule: Rule) {
            rules.append(Pointer(family: family, table: .filter, chain: Bootstrap.chain(for: hook), rule: rule))
        }
        if let tracking {
            let comment = Self.comment(HostSettings.commentPrefix + "connection tracking (\(baseName(tracking.location.file)):\(tracking.location.line))")
            for family in Family.allCases {
                for hook in Hook.allCases {
                    add(family, hook, Rule(family, states: [.related, .established], comment: comment, target: .accept))
                    add(family, hook, Rule(family, states: .invalid, comment: comment, target: .drop))
                }
            }
        }
        // What IPv6 can't work without, under a DROP policy: neighbour and
        // router discovery (only from a neighbour: hop limit 255) and packet too big.
        let icmpv6 = icmpProtocol(.ipv6)
        func essential(_ hook: Hook, _ type: UInt8, _ what: String, hopLimit: UInt8? = nil) {
            let at = policiesAt[.ipv6]!
            let comment = Self.comment(HostSettings.commentPrefix + "IPv6 \(what) under a DROP policy (\(baseName(at.file)):\(at.line))")
            add(.ipv6, hook, Rule(.ipv6, ipProtocol: icmpv6, icmpType: ICMPType(type: type), hopLimit: hopLimit, comment: comment, target: .accept))
        }
        if policies[.ipv6]?[.input] == .drop {
            for (type, what) in [(133, "router solicitation"), (134, "router advertisement"), (135, "neighbour solicitation"), (136, "neighbour advertisement")] {
                essential(.input, UInt8(type), what, hopLimit: 255)
            }
            essential(.input, 2, "packet too big")
        }
        if policies[.ipv6]?[.forward] == .drop { essential(.forward, 2, "packet too big") }
        return HostSettings(policies: policies, rules: rules, location: first)
    }
}
