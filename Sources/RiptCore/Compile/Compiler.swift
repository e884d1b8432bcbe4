import Crypto
import RiptDSL
import RiptSupport

/// Stage 3, compile: partitions (DSL values) to chain sets.
///
/// All validation happens here, and every problem is collected, not just the
/// first. Output is deterministic: partitions come in the order of their file
/// paths, and a partition's chain names hash only what it generates.
public struct Compiler: Sendable {
    public var protocols: ProtocolTable

    public init(protocols: ProtocolTable = .system()) {
        self.protocols = protocols
    }

    /// A rule file to compile: evaluated now, or compiled before and unchanged since.
    public enum Input: Sendable {
        case evaluated(EvaluatedRuleFile)
        case compiled(ChainSet)
    }

    /// Compiles evaluated files; any diagnostic, from evaluation or here, fails the whole set.
    public func compile(_ files: [EvaluatedRuleFile]) -> Result<CompiledRuleset, RuleErrors> {
        compile(files.map(Input.evaluated))
    }

    /// Compiles files in order; cross-file checks cover compiled ones too.
    public func compile(_ files: [Input]) -> Result<CompiledRuleset, RuleErrors> {
        var diagnostics: [Diagnostic] = []
        var work: [Input] = []
        var seen: [String: SourceLocation] = [:]
        func unique(_ name: String, at location: SourceLocation) -> Bool {
            if let earlier = seen[name] {
                diagnostics.append(Diagnostic(
                    "partition name '\(name)' is already defined; partition names must be unique",
                    at: location, notes: [.init("'\(name)' is first defined here", at: earlier)]))
                return false
            }
            seen[name] = location
            return true
        }
        for input in files {
            let file: EvaluatedRuleFile
            switch input {
            case .compiled(let chainSet):
                if unique(chainSet.partition, at: chainSet.location) { work.append(input) }
                continue
            case .evaluated(let evaluated):
                file = evaluated
            }
            diagnostics += file.diagnostics
            // A file that failed to evaluate would only add follow-on errors.
            guard file.diagnostics.isEmpty else { continue }
            guard let first = file.partitions.first else {
                diagnostics.append(Diagnostic(
                    "no partition in this rule file; a rule file holds one Partition(\"name\") { … }",
                    at: .start(of: file.path)))
                continue
            }
            for extra in file.partitions.dropFirst() {
                diagnostics.append(Diagnostic(
                    "multiple partition definitions are not permitted in the same file; move '\(extra.name)' to a file of its own",
                    at: extra.location, notes: [.init("first partition '\(first.name)' is here", at: first.location)]))
            }
            for partition in file.partitions where unique(partition.name, at: partition.location) {
                work.append(.evaluated(EvaluatedRuleFile(path: file.path, partitions: [partition], diagnostics: [])))
            }
        }
        // Partitions compile independently of each other, so on every core.
        let protocols = self.protocols
        let compiled = work.concurrentMap { input -> (ChainSet?, [Diagnostic]) in
            switch input {
            case .compiled(let chainSet): return (chainSet, [])
            case .evaluated(let file):
                var compilation = PartitionCompilation(partition: file.partitions[0], protocols: protocols)
                return (compilation.compile(), compilation.diagnostics)
            }
        }
        diagnostics += compiled.flatMap(\.1)
        guard diagnostics.isEmpty else { return .failure(RuleErrors(diagnostics)) }
        return .success(CompiledRuleset(partitions: compiled.compactMap(\.0)))
    }

    /// What compiled results depend on besides the rule files: this
    /// compiler and its protocol table. Part of the compile cache's key.
    public var fingerprint: [UInt8] {
        Array(SHA256.hash(data: Array((CompileCache.formatVersion + "\n" + protocols.canonical).utf8)))
    }
}

/// Longest partition name: NAME + "-a" + 6 hex digits stays within the 28
/// characters libiptc keeps intact.
public let maximumPartitionNameLength = 20

/// The most iptables rules one partition may expand to: far more than a
/// firewall should hold, few enough to compile in seconds. A rule expands over
/// the product of its labels, protocols and ports, so a small file could
/// otherwise ask for billions.
public let maximumRulesPerPartition = 100_000

/// One partition's compilation: checks, expansion, naming.
private struct PartitionCompilation {
    let partition: Partition
    let protocols: ProtocolTable
    var diagnostics: [Diagnostic] = []

    var labels: [String: (address: LabelAddress, location: SourceLocation?)] = ["all": (.all, nil)]
    var dnatRules: [Rule] = []
    var snatRules: [Rule] = []
    var filterRules: [Rule] = []
    var filterPointers: [Rule] = []
    var dnatPointers: [Rule] = []
    var snatPointers: [Rule] = []
    var raw: [RawCommand] = []

    init(partition: Partition, protocols: ProtocolTable) {
        self.partition = partition
        self.protocols = protocols
    }

    var name: String { partition.name }
    var filterChain: String { "\(name)-a" }
    var dnatChain: String { "\(name)-d" }
    var snatChain: String { "\(name)-s" }

    /// Errors already reported: a rule expanded over many labels would repeat them.
    var reported: Set<String> = []

    /// Rules the expanded rules generate at most, counted before each is expanded.
    var expansion = 0

    /// "Did you mean" compares a name with every label or protocol: only the
    /// first misses of a partition get one, so thousands of misses in one
    /// file stay fast (20,000 among 20,000 labels took over ten minutes).
    var suggestionsLeft = 20

    /// The closest of `candidates` to a misspelt name, while suggestions last.
    mutating func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        guard suggestionsLeft > 0 else { return nil }
        suggestionsLeft -= 1
        return closestMatch(to: name, in: candidates)
    }

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        guard reported.insert("\(location.file):\(location.line):\(location.column): \(message)").inserted else { return }
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    mutating func compile() -> ChainSet? {
        checkName()
        // Labels first: a rule may use a label defined below it.
        for case .label(let label) in partition.statements { define(label) }
        for statement in partition.statements {
            switch statement {
            case .label: continue
            case .filter(let rule): expand(rule)
            case .rewrite(let rewrite): expand(rewrite)
            case .raw(let block): parse(block)
            }
        }
        guard diagnostics.isEmpty else { return nil }
        return name(chains: Family.allCases.flatMap { family in
            [
                (family, Table.nat, dnatChain, dnatRules.filter { $0.family == family }),
                (family, .nat, snatChain, snatRules.filter { $0.family == family }),
                (family, .filter, filterChain, filterRules.filter { $0.family == family }),
            ]
        }, families: families)
    }

    /// The families the partition's three chains are made in: those it has
    /// rules or pointers in (every pointer comes with a rule; counting them
    /// too keeps a jump from ever naming a chain that isn't made). A
    /// partition with raw lines (iptables lines) or with no rule at all
    /// still has them in IPv4, where their existence records that it is
    /// loaded. An IPv4-only partition makes no ip6tables chain (the
    /// bootstrap hook chains are made in both families all the same).
    var families: Set<Family> {
        var families = Set((dnatRules + snatRules + filterRules + filterPointers + dnatPointers + snatPointers).map(\.family))
        if !raw.isEmpty || families.isEmpty { families.insert(.ipv4) }
        return families
    }

    // MARK: Partition and labels

    mutating func checkName() {
        let at = partition.location
        if name.isEmpty {
            error("partition name is empty; name the partition, like Partition(\"joeblogsco\")", at: at)
        } else if name.contains(where: \.isWhitespace) {
            error("partition name '\(name)' can't contain whitespace; use '_' instead", at: at)
        } else if name.contains("-") {
            error("partition name '\(name)' can't contain dashes ('-'); use '_' instead", at: at)
        } else if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) {
            error("partition name '\(name)' can only contain ASCII letters, digits, '_' and '.'", at: at)
        } else if name.count > maximumPartitionNameLength {
            error("partition name '\(name)' is \(name.count) characters; it cannot be longer than \(maximumPartitionNameLength) characters", at: at)
        }
    }

    mutating func define(_ label: Label) {
        if label.name.isEmpty {
            error("label name is empty; name the address, like Label(\"app-01\", address: \"192.0.2.10\")", at: label.location)
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
        switch IPNetwork.parse(label.address) {
        case .success(let network): labels[label.name] = (.network(network, label: label.name), label.location)
        case .failure(let failure): error("label '\(label.name)': \(failure.message)", at: label.location)
        }
    }

    /// The address of a label used in a role ("a from", "a dnat private", …).
    mutating func resolve(_ label: String, role: String, at location: SourceLocation) -> LabelAddress? {
        if let found = labels[label] { return found.address }
        var message = "address '\(label)' (\(role)) isn't defined; add Label(\"\(label)\", address: \"…\") to partition '\(name)'"
        if let suggestion = suggestion(for: label, among: labels.keys) { message += ", or did you mean '\(suggestion)'?" }
        error(message, at: location)
        return nil
    }

    /// A single address for a NAT target: `role` names it in the error.
    mutating func resolveHost(_ label: String, role: String, at location: SourceLocation) -> IPNetwork? {
        switch resolve(label, role: role, at: location) {
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
        var interface: String?
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
                    if let network = resolve(label, role: "a from", at: from.location) { body.froms.append(network) }
                }
            case .to(let to):
                if case .rewrite = kind {
                    error("To isn't used in a Rewrite; DNAT(\"public\" => \"private\") names where traffic goes", at: to.location)
                    continue
                }
                if to.labels.isEmpty { error("To needs at least one label, like To(\"app-01\")", at: to.location) }
                for label in to.labels {
                    if let network = resolve(label, role: "a to", at: to.location) { body.tos.append(network) }
                }
            case .interface(let interface):
                if case .rewrite = kind {
                    error("Interface isn't supported in a Rewrite; match the interface in an Accept, Drop, Reject or Log rule", at: interface.location)
                } else if body.interface != nil {
                    error("a rule has one Interface; write another rule for the second interface", at: interface.location)
                } else if let problem = interfaceProblem(interface.name) {
                    error("interface '\(interface.name)' \(problem)", at: interface.location)
                } else {
                    body.interface = interface.name
                }
            case .dnat(let dnat):
                let pairs = translation(dnat.mapping, "DNAT", from: "public", to: "private", in: kind, word: word, at: dnat.location)
                body.dnats += pairs
                if let family = pairs.first?.1.family { body.dnatStatements.append((dnat.mapping, family, dnat.location)) }
            case .snat(let snat):
                body.snats += translation(snat.mapping, "SNAT", from: "private", to: "public", in: kind, word: word, at: snat.location)
            }
        }
        return body
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
        guard let target = resolveHost(mapping.to, role: "a \(role) \(toRole)", at: location) else { return [] }
        return mapping.from.compactMap { label in
            guard let address = resolve(label, role: "a \(role) \(fromRole)", at: location) else { return nil }
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

    // MARK: Expansion

    /// `Accept/Drop/Reject/Log`: for each from × to of one family, in that
    /// family (in both for `all` × `all`), a pointer on the destination and
    /// one rule per protocol × port. A pair that mixes families is left out;
    /// a label with no partner of its family at all is an error.
    mutating func expand(_ rule: FilterRule) {
        let word = rule.action.word
        let body = body(rule.statements, kind: .filter(rule.action), word: word)
        let protocols = body.explicitProtocols == nil ? [IPProtocol.tcp] : body.protocols
        checkPortsHaveProtocol(body, protocols: protocols)
        let action = Target(rule.action)
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
                let publics = dnat.mapping.from.map { "\"\($0)\"" }.joined(separator: ", ")
                error("DNAT(\(dnat.mapping.from.count == 1 ? publics : "[\(publics)]") => \"\(dnat.mapping.to)\") is \(dnat.family.name) and every From of this Rewrite is \(dnat.family.other.name); a rule matches one address family, so give it an \(dnat.family.name) From label (or 'all'), or put it in a Rewrite of its own",
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

    /// Ports need every protocol of the rule to have ports.
    mutating func checkPortsHaveProtocol(_ body: Body, protocols: [IPProtocol?]) {
        guard let location = body.portsLocation, !body.ports.isEmpty else { return }
        for ipProtocol in protocols where !(ipProtocol?.hasPorts ?? false) {
            let name = ipProtocol?.name ?? "all"
            error("ports need protocol tcp or udp, and '\(name)' has no ports ript can match; remove Ports or list only tcp and udp in Protocols",
                  at: body.explicitProtocols ?? location)
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

    /// Appends a rule, after a LOG rule with the same matches when logging.
    mutating func append(_ rule: Rule, to chain: WritableKeyPath<PartitionCompilation, [Rule]>, log: Bool) {
        if log { self[keyPath: chain].append(rule.with(.log)) }
        self[keyPath: chain].append(rule)
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

    // MARK: Naming

    /// Hashes what the partition generates, then gives its chains their final names.
    /// `chains` holds the three chains in every family (the digest lists
    /// them all, so a partition's hash doesn't depend on its families); the
    /// chain set keeps those of `families`.
    func name(chains: [(Family, Table, String, [Rule])], families: Set<Family>) -> ChainSet {
        let pointers = Family.allCases.flatMap { family in
            [
                (family, Table.filter, Bootstrap.filterChain, filterPointers.filter { $0.family == family }.uniqued()),
                (family, Table.nat, Bootstrap.snatChain, snatPointers.filter { $0.family == family }.uniqued()),
                (family, Table.nat, Bootstrap.dnatChain, dnatPointers.filter { $0.family == family }.uniqued()),
            ]
        }
        let chains = chains.map { ($0.0, $0.1, $0.2, $0.3.uniqued()) }

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
        let hash = hex(Array(digest.prefix(3)))

        func final(_ placeholder: String) -> String {
            let kind = placeholder.last!
            return "\(name)-\(kind)\(hash)"
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

extension Array where Element: Hashable {
    /// The elements without repeats, first occurrence kept. Dropping a later
    /// copy of an earlier rule never changes what a chain does.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
