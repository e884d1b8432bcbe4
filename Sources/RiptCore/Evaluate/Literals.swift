import RiptDSL
import SwiftSyntax

/// The values a rule file writes out: string, integer and boolean literals,
/// and the DSL's protocol specs, port specs (`a...b`, `a => b`) and label
/// mappings built from them. Anything else is reported as expected-but-found.
extension Evaluation {
    /// Evaluates each expression; nil if any failed (each failure reported).
    func all<Value>(_ expressions: [ExprSyntax], _ evaluate: (ExprSyntax) -> Value?) -> [Value]? {
        var values: [Value] = []
        var failed = false
        for expression in expressions {
            if let value = evaluate(expression) { values.append(value) } else { failed = true }
        }
        return failed ? nil : values
    }

    func string(_ expression: ExprSyntax, _ what: String, example: String) -> String? {
        guard let literal = expression.as(StringLiteralExprSyntax.self) else {
            expected(what, example: example, found: expression)
            return nil
        }
        if let segment = literal.segments.first(where: { $0.is(ExpressionSegmentSyntax.self) }) {
            error("string interpolation isn't supported in a rule file; write the whole string out", at: segment)
            return nil
        }
        guard let value = literal.representedLiteralValue else {
            error("this string literal can't be read; write \(what) as a plain string literal", at: literal)
            return nil
        }
        return value
    }

    func integer(_ expression: ExprSyntax, _ what: String, example: String) -> Int? {
        if let prefix = expression.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-",
            let literal = prefix.expression.as(IntegerLiteralExprSyntax.self)
        {
            guard let value = literal.representedLiteralValue else {
                error("integer literal is too large", at: literal)
                return nil
            }
            return -value
        }
        guard let literal = expression.as(IntegerLiteralExprSyntax.self) else {
            expected(what, example: example, found: expression)
            return nil
        }
        guard let value = literal.representedLiteralValue else {
            error("integer literal is too large", at: literal)
            return nil
        }
        return value
    }

    func bool(_ expression: ExprSyntax) -> Bool? {
        guard let literal = expression.as(BooleanLiteralExprSyntax.self) else {
            expected("'log:'", example: "true or false", found: expression)
            return nil
        }
        return literal.literal.tokenKind == .keyword(.true)
    }

    func protocolSpec(_ expression: ExprSyntax) -> ProtocolSpec? {
        if expression.is(StringLiteralExprSyntax.self) {
            return string(expression, "a protocol", example: "\"udp\"").map(ProtocolSpec.name)
        }
        return integer(expression, "a protocol name or number", example: "\"udp\" or 47").map(ProtocolSpec.number)
    }

    /// A port, `first...last`, `from => to`, or one of those in parentheses.
    func portSpec(_ expression: ExprSyntax) -> PortSpec? {
        let what = "a port", example = "80, 8000...8900 or 2222 => 22"
        if let inner = parenthesized(expression) { return portSpec(inner) }
        guard let sequence = expression.as(SequenceExprSyntax.self) else {
            return integer(expression, what, example: example).map(PortSpec.port)
        }
        let elements = Array(sequence.elements)
        guard elements.count == 3, let op = elements[1].as(BinaryOperatorExprSyntax.self) else {
            for element in elements.dropFirst() {
                guard let op = element.as(BinaryOperatorExprSyntax.self), ["...", "=>"].contains(op.operator.text) else { continue }
                error("'...' and '=>' can't be combined without parentheses; write (8000...8100) => 9000", at: op)
                return nil
            }
            expected(what, example: example, found: expression)
            return nil
        }
        switch op.operator.text {
        case "...":
            guard let first = portSpec(elements[0]), let last = portSpec(elements[2]) else { return nil }
            return first...last
        case "=>":
            guard let from = portSpec(elements[0]), let to = portSpec(elements[2]) else { return nil }
            return from => to
        case "..<":
            error("half-open ranges aren't supported; write a closed range like 8000...8899", at: op)
        default:
            error("'\(op.operator.text)' isn't supported in ports; write \(example)", at: op)
        }
        return nil
    }

    /// `"public" => "private"` or `["a", "b"] => "private"`.
    func labelMapping(_ expression: ExprSyntax, usage: String) -> LabelMapping? {
        guard let sequence = expression.as(SequenceExprSyntax.self),
            sequence.elements.count == 3,
            let op = sequence.elements.dropFirst().first?.as(BinaryOperatorExprSyntax.self),
            op.operator.text == "=>",
            let lhs = sequence.elements.first, let rhs = sequence.elements.last
        else {
            expected("a label mapping", example: usage, found: expression)
            return nil
        }
        let from: [String]
        if let array = lhs.as(ArrayExprSyntax.self) {
            guard let labels = all(array.elements.map(\.expression), { self.string($0, "a label name", example: "\"www\"") }) else { return nil }
            from = labels
        } else {
            guard let label = string(lhs, "a label name or an array of them", example: "\"www\" or [\"www\", \"shop\"]") else { return nil }
            from = [label]
        }
        guard let to = string(rhs, "a label name", example: "\"app-01\"") else { return nil }
        return LabelMapping(from: from, to: to)
    }

    func parenthesized(_ expression: ExprSyntax) -> ExprSyntax? {
        guard let tuple = expression.as(TupleExprSyntax.self), tuple.elements.count == 1,
            let only = tuple.elements.first, only.label == nil
        else { return nil }
        return only.expression
    }
}
