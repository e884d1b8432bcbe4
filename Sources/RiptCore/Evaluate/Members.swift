import RiptDSL
import SwiftSyntax

/// The DSL's enums as a rule file writes their cases: `.input`, `.drop`,
/// `.tcpReset`. Each list is every case, by the name Swift gives it.
enum Members {
    static let traffic: (type: String, cases: [(String, Traffic)]) = ("Traffic", [("input", .input), ("forward", .forward), ("output", .output)])
    static let policy: (type: String, cases: [(String, Policy)]) = ("Policy", [("accept", .accept), ("drop", .drop)])
    static let addressFamily: (type: String, cases: [(String, AddressFamily)]) = ("AddressFamily", [("ipv4", .ipv4), ("ipv6", .ipv6)])
    static let rejectWith: (type: String, cases: [(String, RejectWith)]) = ("RejectWith", RejectWith.allCases.map { ($0.rawValue, $0) })
    static let rateUnit: (type: String, cases: [(String, RateUnit)]) = ("RateUnit", RateUnit.allCases.map { ($0.rawValue, $0) })
    static let connectionState: (type: String, cases: [(String, ConnectionState)]) = (
        "ConnectionState",
        [("new", .new), ("established", .established), ("related", .related), ("invalid", .invalid), ("untracked", .untracked)]
    )
    static let logLevel: (type: String, cases: [(String, LogLevel)]) = (
        "LogLevel",
        [
            ("emergency", .emergency), ("alert", .alert), ("critical", .critical), ("error", .error), ("warning", .warning),
            ("notice", .notice), ("info", .info), ("debug", .debug),
        ]
    )

    /// Every case name above: the words a rule file writes for them.
    static let names: Set<String> = {
        func names<Value>(_ members: (type: String, cases: [(String, Value)])) -> [String] { members.cases.map(\.0) }
        return Set(
            names(traffic) + names(policy) + names(addressFamily) + names(rejectWith) + names(rateUnit) + names(connectionState)
                + names(logLevel))
    }()
}

extension Evaluation {
    /// An enum case written `.name` (or `Type.name`); anything else, or an
    /// unknown name, is reported with the cases there are.
    func member<Value>(_ expression: ExprSyntax, _ members: (type: String, cases: [(String, Value)]), _ what: String) -> Value? {
        let names = members.cases.map(\.0)
        let example = names.prefix(3).map { ".\($0)" }.joined(separator: ", ")
        guard let access = expression.as(MemberAccessExprSyntax.self), access.declName.argumentNames == nil,
            access.base == nil || access.base?.as(DeclReferenceExprSyntax.self)?.baseName.text == members.type
        else {
            expected(what, example: example, found: expression)
            return nil
        }
        let name = access.declName.baseName.text
        if let found = members.cases.first(where: { $0.0 == name }) { return found.1 }
        var message = "'.\(name)' isn't \(what); write one of \(names.map { ".\($0)" }.joined(separator: ", "))"
        if let suggestion = closestMatch(to: name, in: names) { message += " (did you mean '.\(suggestion)'?)" }
        error(message, at: access)
        return nil
    }

    /// An ICMP or ICMPv6 type: a name or `"type/code"` string, or a number.
    func icmpTypeSpec(_ expression: ExprSyntax) -> ICMPTypeSpec? {
        if expression.is(StringLiteralExprSyntax.self) {
            return string(expression, "an ICMP type", example: "\"echo-request\"").map(ICMPTypeSpec.name)
        }
        return integer(expression, "an ICMP type name or number", example: "\"echo-request\" or 8").map(ICMPTypeSpec.number)
    }
}
