import RiptDSL
import SwiftSyntax

/// The words with more than a description and a body (`Reject` with
/// `with:`, `Log` with `prefix:` and `level:`, `Policies`), and rule bodies:
/// each word with exactly the argument forms of its RiptDSL initializer.
extension Evaluation {
    // MARK: Partition-body words with options

    /// `Reject("d", log:) { … }` or `Reject("d", with: .tcpReset, log:) { … }`.
    func reject(_ call: FunctionCallExprSyntax, at location: RiptDSL.SourceLocation) -> [PartitionStatement] {
        let signature = Signature(usage: "Reject(\"description\", with: .tcpReset, log: true) { … }", labels: ["with", "log"], body: true)
        guard let (description, log, body, arguments) = ruleHeader(call, "Reject", signature) else { return [] }
        guard let with = arguments.labeled["with"] else {
            return Reject(description: description, log: log, statements: body, location: location).partitionStatements
        }
        guard let reply = member(with, Members.rejectWith, "a reject answer") else { return [] }
        return Reject(rule: FilterRule(
            action: .reject, description: description, log: log, statements: body, location: location, rejectWith: reply)).partitionStatements
    }

    /// `Log("d", log:) { … }`, `Log("d", prefix: "…", level: .x) { … }` or `Log("d", level: .x) { … }`.
    func log(_ call: FunctionCallExprSyntax, at location: RiptDSL.SourceLocation) -> [PartitionStatement] {
        let usage = "Log(\"description\", prefix: \"fw: \", level: .info) { … }"
        let signature = Signature(usage: usage, labels: ["log", "prefix", "level"], body: true)
        guard let (description, log, body, arguments) = ruleHeader(call, "Log", signature) else { return [] }
        let prefixExpression = arguments.labeled["prefix"], levelExpression = arguments.labeled["level"]
        guard prefixExpression != nil || levelExpression != nil else {
            return Log(description: description, log: log, statements: body, location: location).partitionStatements
        }
        if let flag = arguments.labeled["log"] {
            error("a Log with prefix: or level: takes no 'log:' (it is a LOG rule already); write it as \(usage)", at: flag)
            return []
        }
        var prefix: String?
        if let prefixExpression {
            guard let text = string(prefixExpression, "a log prefix", example: "\"fw-in-drop: \"") else { return [] }
            prefix = text
        }
        var level: LogLevel?
        if let levelExpression {
            guard let value = member(levelExpression, Members.logLevel, "a log level") else { return [] }
            level = value
        }
        return Log(rule: FilterRule(
            action: .log, description: description, log: false, statements: body, location: location,
            logPrefix: prefix, logLevel: level)).partitionStatements
    }

    /// `Policies(.ipv6, input: .drop, forward: .drop, output: .accept)`, family and each hook optional.
    func policies(_ call: FunctionCallExprSyntax, at location: RiptDSL.SourceLocation) -> [PartitionStatement] {
        let signature = Signature(
            usage: "Policies(.ipv6, input: .drop, forward: .drop, output: .accept)", positional: 0...1,
            labels: ["input", "forward", "output"])
        guard let arguments = match(call, "Policies", signature) else { return [] }
        var family: AddressFamily?
        if let first = arguments.positional.first {
            guard let value = member(first, Members.addressFamily, "an address family") else { return [] }
            family = value
        }
        var policies: [String: Policy] = [:]
        for hook in ["input", "forward", "output"] {
            guard let expression = arguments.labeled[hook] else { continue }
            guard let value = member(expression, Members.policy, "a policy") else { return [] }
            policies[hook] = value
        }
        return Policies(family: family, input: policies["input"], forward: policies["forward"], output: policies["output"], location: location)
            .partitionStatements
    }

    // MARK: Rule bodies

    func ruleBody(_ closure: ClosureExprSyntax) -> [RuleStatement] {
        checkNoParameters(closure)
        var statements: [RuleStatement] = []
        for item in closure.statements {
            guard let (word, call) = wordCall(item.item) else {
                unsupported(item.item, place: .ruleBody)
                continue
            }
            if let statement = ruleStatement(word, call) { statements.append(statement) }
        }
        return statements
    }

    /// One rule-body word's statement; nil when it is unknown or its arguments are wrong (reported).
    func ruleStatement(_ word: String, _ call: FunctionCallExprSyntax) -> RuleStatement? {
        let location = callLocation(call)
        /// The arguments of a word of one or more values of one kind, like `Ports(80, 443)`.
        func values<Value>(_ usage: String, _ evaluate: (ExprSyntax) -> Value?) -> [Value]? {
            guard let arguments = match(call, word, .variadic(usage)) else { return nil }
            return all(arguments.positional, evaluate)
        }
        func labels() -> [String]? {
            values("\(word)(\"label\", \"another label\")") { self.string($0, "a label name", example: "\"office\"") }
        }
        func interface() -> String? {
            guard let arguments = match(call, word, Signature(usage: "\(word)(\"eth0\")")) else { return nil }
            return string(arguments.positional[0], "an interface name", example: "\"eth0\" or \"vlan+\"")
        }
        func noArguments() -> Bool {
            match(call, word, Signature(usage: "\(word)()", positional: 0...0)) != nil
        }
        switch word {
        case "Protocols":
            return values("Protocols(\"udp\", \"tcp\", 47)", protocolSpec).map { Protocols(protocols: $0, location: location).ruleStatement }
        case "Ports":
            return values("Ports(80, 443, 8000...8900, 2222 => 22)", portSpec).map { Ports(ports: $0, location: location).ruleStatement }
        case "SourcePorts":
            return values("SourcePorts(53, 1024...65535)", portSpec).map { SourcePorts(ports: $0, location: location).ruleStatement }
        case "From": return labels().map { From(labels: $0, location: location).ruleStatement }
        case "To": return labels().map { To(labels: $0, location: location).ruleStatement }
        case "Masquerade": return labels().map { Masquerade(labels: $0, location: location).ruleStatement }
        case "Interface": return interface().map { Interface(name: $0, location: location).ruleStatement }
        case "OutInterface": return interface().map { OutInterface(name: $0, location: location).ruleStatement }
        case "DNAT", "SNAT":
            let usage = word == "DNAT" ? "DNAT(\"public\" => \"private\")" : "SNAT(\"private\" => \"public\")"
            guard let arguments = match(call, word, Signature(usage: usage)),
                let mapping = labelMapping(arguments.positional[0], usage: usage)
            else { return nil }
            return word == "DNAT"
                ? DNAT(mapping: mapping, location: location).ruleStatement
                : SNAT(mapping: mapping, location: location).ruleStatement
        case "Direction":
            return values("Direction(.input, .forward, .output)") { self.member($0, Members.traffic, "a direction") }
                .map { Direction(traffic: $0, location: location).ruleStatement }
        case "ICMP":
            return values("ICMP(\"echo-request\", 8, \"3/4\")", icmpTypeSpec).map { ICMP(types: $0, location: location).ruleStatement }
        case "ICMPv6":
            return values("ICMPv6(\"neighbour-solicitation\", 135)", icmpTypeSpec).map { ICMPv6(types: $0, location: location).ruleStatement }
        case "State":
            return values("State(.new, .established)") { self.member($0, Members.connectionState, "a connection state") }
                .map { State(states: $0, location: location).ruleStatement }
        case "Limit":
            let signature = Signature(usage: "Limit(5, per: .second, burst: 10)", labels: ["per", "burst"], requiredLabels: ["per"])
            guard let arguments = match(call, word, signature),
                let rate = integer(arguments.positional[0], "a rate", example: "5"),
                let unit = member(arguments.labeled["per"]!, Members.rateUnit, "a period")
            else { return nil }
            var burst = 5
            if let expression = arguments.labeled["burst"] {
                guard let value = integer(expression, "a burst", example: "10") else { return nil }
                burst = value
            }
            return Limit(rate: rate, unit: unit, burst: burst, location: location).ruleStatement
        case "Loopback":
            return noArguments() ? Loopback(location: location).ruleStatement : nil
        default:
            unknownWord(word, at: call.calledExpression, place: .ruleBody)
            return nil
        }
    }
}
