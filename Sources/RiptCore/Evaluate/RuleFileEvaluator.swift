import RiptDSL
import SwiftDiagnostics
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax

private typealias SourceLocation = RiptDSL.SourceLocation

/// A rule file after evaluation: the partitions it declares, as DSL values.
public struct EvaluatedRuleFile: Sendable {
    public let path: String
    public let partitions: [Partition]
    public let diagnostics: [Diagnostic]
}

/// Stage 2, evaluate: read a rule file's Swift without compiling or running it.
///
/// The file is parsed with SwiftSyntax and walked over a closed subset of
/// Swift: the DSL words, string literals (multi-line and raw ones too),
/// integer literals, `true`/`false`, array literals of strings, `a...b`,
/// `a => b`, parentheses, trailing closures, comments and `import RiptDSL`.
/// Every other form is reported at its file:line:column with what is supported.
///
/// Values are built with the DSL's own initializers (the `package` ones its
/// public initializers call), so a file evaluated here and the same file
/// compiled by swiftc against RiptDSL give identical `Partition` values,
/// source locations included. The crosscheck test holds that true.
public enum RuleFileEvaluator {
    public static func evaluate(_ source: RuleSource) -> EvaluatedRuleFile {
        if let beyondLimits = ParserLimits.check(source) {
            return EvaluatedRuleFile(path: source.path, partitions: [], diagnostics: [beyondLimits])
        }
        let tree = Parser.parse(source: source.text)
        let converter = SourceLocationConverter(fileName: source.path, tree: tree)
        let evaluation = Evaluation(path: source.path, converter: converter)
        // The diagnostics generator walks the whole tree: only broken ones need it.
        if tree.hasError {
            if let first = ParserLimits.firstOfTooManyErrors(in: Syntax(tree)) {
                return EvaluatedRuleFile(path: source.path, partitions: [], diagnostics: [Diagnostic(
                    "this file has more than \(ParserLimits.maximumSyntaxErrors) syntax errors, the first here; a rule file must be valid Swift",
                    at: evaluation.location(of: first))])
            }
            let colonRanges = portRangesWithColons(in: tree)
            let parseErrors: [Diagnostic] = colonRanges.map { range in
                Diagnostic(
                    "'\(range.first):\(range.last)' is how iptables writes a port range; a rule file is Swift: write \(range.first)...\(range.last)",
                    at: evaluation.location(of: range.positions.lowerBound))
            } + ParseDiagnosticsGenerator.diagnostics(for: tree)
                .filter { $0.diagMessage.severity == .error }
                // The parser's own words for those ("unexpected code ':8100'") say less.
                .filter { diagnostic in !colonRanges.contains { $0.positions.contains(diagnostic.position) } }
                .map { Diagnostic("\($0.message); a rule file must be valid Swift", at: evaluation.location(of: $0.position)) }
            if !parseErrors.isEmpty {
                return EvaluatedRuleFile(path: source.path, partitions: [], diagnostics: parseErrors)
            }
        }
        let partitions = evaluation.file(tree)
        return EvaluatedRuleFile(path: source.path, partitions: partitions, diagnostics: evaluation.diagnostics)
    }
}

/// A port range written as iptables writes it, `8000:8100`: two integers
/// joined by a colon, which Swift can't parse.
struct PortRangeWithColon {
    /// From the first integer to the end of the second.
    let positions: ClosedRange<AbsolutePosition>
    /// The two integers, as written.
    let first: String, last: String
}

/// Every `integer : integer` in a file's tokens that the parser could not
/// place: a colon range. Each is a syntax error, so there are at most
/// `ParserLimits.maximumSyntaxErrors` of them.
func portRangesWithColons(in tree: SourceFileSyntax) -> [PortRangeWithColon] {
    let tokens = Array(tree.tokens(viewMode: .sourceAccurate))
    guard tokens.count >= 3 else { return [] }
    var found: [PortRangeWithColon] = []
    for index in 0..<(tokens.count - 2) {
        let first = tokens[index], colon = tokens[index + 1], last = tokens[index + 2]
        guard case .integerLiteral = first.tokenKind, colon.tokenKind == .colon, case .integerLiteral = last.tokenKind,
            // Where Swift has a colon between integers ([1: 2], c ? 1 : 2), it parses.
            colon.parent?.is(UnexpectedNodesSyntax.self) == true
        else { continue }
        found.append(PortRangeWithColon(
            positions: first.positionAfterSkippingLeadingTrivia...last.endPositionBeforeTrailingTrivia,
            first: first.text, last: last.text))
    }
    return found
}

/// The DSL's vocabulary, by where each word may stand.
enum Vocabulary {
    static let topLevel = ["Partition"]
    static let partitionBody = ["Label", "Accept", "Drop", "Reject", "Log", "Rewrite", "Raw", "Group", "Policies", "ConnectionTracking"]
    static let ruleBody = [
        "Protocols", "Ports", "From", "To", "Interface", "DNAT", "SNAT", "Direction", "OutInterface", "SourcePorts", "ICMP", "ICMPv6",
        "State", "Limit", "Loopback", "Masquerade",
    ]

    enum Place {
        case topLevel, partitionBody, ruleBody

        var words: [String] {
            switch self {
            case .topLevel: Vocabulary.topLevel
            case .partitionBody: Vocabulary.partitionBody
            case .ruleBody: Vocabulary.ruleBody
            }
        }

        var name: String {
            switch self {
            case .topLevel: "at the top level of a rule file"
            case .partitionBody: "in a Partition body"
            case .ruleBody: "in a rule body"
            }
        }
    }
}

/// How a word is called: its positional arguments, labels and body.
struct Signature {
    let usage: String
    var positional: ClosedRange<Int> = 1...1
    var labels: [String] = []
    var requiredLabels: [String] = []
    var body = false

    static func rule(_ word: String) -> Signature {
        Signature(usage: "\(word)(\"description\", log: true) { … }", labels: ["log"], body: true)
    }

    static func variadic(_ usage: String) -> Signature {
        Signature(usage: usage, positional: 0...Int.max)
    }
}

/// A call's arguments, matched against a signature.
struct Arguments {
    var positional: [ExprSyntax] = []
    var labeled: [String: ExprSyntax] = [:]
    var body: ClosureExprSyntax?
}

/// One file's evaluation: the walk over its syntax (here), the values it
/// writes out (`Literals.swift`), and every diagnostic found on the way.
final class Evaluation {
    let path: String
    let converter: SourceLocationConverter
    var diagnostics: [Diagnostic] = []

    init(path: String, converter: SourceLocationConverter) {
        self.path = path
        self.converter = converter
    }

    // MARK: Locations and errors

    func location(of position: AbsolutePosition) -> RiptDSL.SourceLocation {
        let at = converter.location(for: position)
        return SourceLocation(file: path, line: at.line, column: at.column)
    }

    func location(_ node: some SyntaxProtocol) -> RiptDSL.SourceLocation {
        location(of: node.positionAfterSkippingLeadingTrivia)
    }

    /// Where swiftc's `#line`/`#column` default arguments point for this call:
    /// the `(` after the word, or the `{` of a trailing closure without parentheses.
    func callLocation(_ call: FunctionCallExprSyntax) -> RiptDSL.SourceLocation {
        if let paren = call.leftParen { return location(paren) }
        if let brace = call.trailingClosure?.leftBrace { return location(brace) }
        return location(call)
    }

    func error(_ message: String, at node: some SyntaxProtocol) {
        diagnostics.append(Diagnostic(message, at: location(node)))
    }

    // MARK: Top level

    func file(_ tree: SourceFileSyntax) -> [Partition] {
        var partitions: [Partition] = []
        for item in tree.statements {
            if let importDecl = item.item.as(ImportDeclSyntax.self) {
                checkImport(importDecl)
                continue
            }
            guard let (word, call) = wordCall(item.item) else {
                unsupported(item.item, place: .topLevel)
                continue
            }
            guard word == "Partition" else {
                unknownWord(word, at: call.calledExpression, place: .topLevel)
                continue
            }
            if let partition = partition(call) { partitions.append(partition) }
        }
        return partitions
    }

    func checkImport(_ decl: ImportDeclSyntax) {
        let module = decl.path.map(\.name.text).joined(separator: ".")
        if module != "RiptDSL" || decl.importKindSpecifier != nil || !decl.attributes.isEmpty || decl.modifiers.count > 0 {
            error("only 'import RiptDSL' is supported in a rule file", at: decl)
        }
    }

    func partition(_ call: FunctionCallExprSyntax) -> Partition? {
        let signature = Signature(usage: "Partition(\"name\") { … }", body: true)
        guard let arguments = match(call, "Partition", signature),
            let name = string(arguments.positional[0], "the partition name", example: "\"joeblogsco\""),
            let body = arguments.body
        else { return nil }
        let statements = partitionBody(body)
        return Partition(name: name, statements: statements, location: callLocation(call))
    }

    // MARK: Partition bodies

    func partitionBody(_ closure: ClosureExprSyntax) -> [PartitionStatement] {
        checkNoParameters(closure)
        var statements: [PartitionStatement] = []
        for item in closure.statements {
            guard let (word, call) = wordCall(item.item) else {
                unsupported(item.item, place: .partitionBody)
                continue
            }
            let location = callLocation(call)
            switch word {
            case "Label":
                let signature = Signature(usage: "Label(\"name\", address: \"192.0.2.10\")", labels: ["address"], requiredLabels: ["address"])
                guard let arguments = match(call, word, signature),
                    let name = string(arguments.positional[0], "the label name", example: "\"app-01\""),
                    let address = string(arguments.labeled["address"]!, "the address", example: "\"192.0.2.10\" or \"198.51.100.0/24\"")
                else { continue }
                statements += Label(name: name, address: address, location: location).partitionStatements
            case "Accept": statements += filterRule(call, Accept.self)
            case "Drop": statements += filterRule(call, Drop.self)
            case "Reject": statements += reject(call, at: location)
            case "Log": statements += log(call, at: location)
            case "Rewrite":
                guard let (description, log, body) = ruleHeader(call, word) else { continue }
                statements += Rewrite(description: description, log: log, statements: body, location: location).partitionStatements
            case "Raw":
                // One line: a diagnostic is one line.
                let signature = Signature(usage: "Raw(\"iptables --policy INPUT DROP\")")
                guard let arguments = match(call, word, signature),
                    let text = string(arguments.positional[0], "the iptables commands", example: "a multi-line string")
                else { continue }
                statements += Raw(text: text, location: location).partitionStatements
            case "Group":
                let signature = Signature(usage: "Group(\"description\", direction: .input) { … }", positional: 0...1, labels: ["direction"], body: true)
                guard let arguments = match(call, word, signature), let body = arguments.body else { continue }
                var description: String?
                if let first = arguments.positional.first {
                    guard let text = string(first, "the group description", example: "\"web tier\"") else { continue }
                    description = text
                }
                var direction: Traffic?
                if let expression = arguments.labeled["direction"] {
                    guard let value = member(expression, Members.traffic, "a direction") else { continue }
                    direction = value
                }
                statements += Group(description: description, direction: direction, statements: partitionBody(body), location: location)
                    .partitionStatements
            case "Policies": statements += policies(call, at: location)
            case "ConnectionTracking":
                guard match(call, word, Signature(usage: "ConnectionTracking()", positional: 0...0)) != nil else { continue }
                statements += ConnectionTracking(location: location).partitionStatements
            default:
                unknownWord(word, at: call.calledExpression, place: .partitionBody)
            }
        }
        return statements
    }

    func filterRule<Word: FilterRuleWord>(_ call: FunctionCallExprSyntax, _ word: Word.Type) -> [PartitionStatement] {
        let name = String(describing: word)
        guard let (description, log, body) = ruleHeader(call, name) else { return [] }
        return Word(description: description, log: log, statements: body, location: callLocation(call)).partitionStatements
    }

    /// `Word("description", log: Bool) { body }`, shared by the filter words and Rewrite.
    func ruleHeader(_ call: FunctionCallExprSyntax, _ word: String) -> (String, Bool, [RuleStatement])? {
        ruleHeader(call, word, .rule(word)).map { ($0.0, $0.1, $0.2) }
    }

    /// A rule word's description, `log:` and body, with the arguments
    /// matched against `signature` (for the words that take more labels).
    func ruleHeader(_ call: FunctionCallExprSyntax, _ word: String, _ signature: Signature) -> (String, Bool, [RuleStatement], Arguments)? {
        guard let arguments = match(call, word, signature),
            let description = string(arguments.positional[0], "the rule's description", example: "\"web\""),
            let body = arguments.body
        else { return nil }
        var log = false
        if let flag = arguments.labeled["log"] {
            guard let value = bool(flag) else { return nil }
            log = value
        }
        return (description, log, ruleBody(body), arguments)
    }

    // MARK: Calls

    /// The word and call of a statement like `Word(…) { … }`, if it is one.
    func wordCall(_ item: CodeBlockItemSyntax.Item) -> (String, FunctionCallExprSyntax)? {
        guard let call = item.as(FunctionCallExprSyntax.self),
            let reference = call.calledExpression.as(DeclReferenceExprSyntax.self),
            reference.argumentNames == nil
        else { return nil }
        return (reference.baseName.text, call)
    }

    /// Matches a call's arguments to a signature; reports every mismatch.
    func match(_ call: FunctionCallExprSyntax, _ word: String, _ signature: Signature) -> Arguments? {
        var arguments = Arguments()
        var ok = true
        func fail(_ message: String, at node: some SyntaxProtocol) {
            error("\(message); write it as \(signature.usage)", at: node)
            ok = false
        }
        for argument in call.arguments {
            if let label = argument.label?.text {
                if !signature.labels.contains(label) {
                    fail("\(word) has no argument '\(label):'", at: argument)
                } else if arguments.labeled[label] != nil {
                    fail("'\(label):' is given twice", at: argument)
                } else {
                    arguments.labeled[label] = argument.expression
                }
            } else if !arguments.labeled.isEmpty {
                fail("an unlabeled argument can't follow a labeled one", at: argument)
            } else {
                arguments.positional.append(argument.expression)
            }
        }
        if ok, !signature.positional.contains(arguments.positional.count) {
            let expected = signature.positional.lowerBound == signature.positional.upperBound
                ? "\(signature.positional.lowerBound)" : "at most \(signature.positional.upperBound)"
            fail("\(word) takes \(expected) unlabeled argument\(expected == "1" ? "" : "s"), not \(arguments.positional.count)", at: call.calledExpression)
        }
        for label in signature.requiredLabels where ok && arguments.labeled[label] == nil {
            fail("\(word) needs '\(label):'", at: call.calledExpression)
        }
        if let closure = call.trailingClosure {
            if signature.body {
                arguments.body = closure
            } else {
                fail("\(word) takes no body", at: closure)
            }
        } else if signature.body {
            fail("\(word) needs a body in braces", at: call.calledExpression)
        }
        if let extra = call.additionalTrailingClosures.first {
            fail("\(word) takes one body", at: extra)
        }
        return ok ? arguments : nil
    }

    func checkNoParameters(_ closure: ClosureExprSyntax) {
        if let signature = closure.signature {
            error("a DSL body takes no parameters; remove '\(signature.trimmedDescription)'", at: signature)
        }
    }

    // MARK: Explaining what isn't supported

    func expected(_ what: String, example: String, found expression: ExprSyntax) {
        error("expected \(what) (\(example)), found \(describe(expression))", at: expression)
    }

    func describe(_ expression: ExprSyntax) -> String {
        if let reference = expression.as(DeclReferenceExprSyntax.self) {
            return "the name '\(reference.baseName.text)'; rule files have no variables or constants: write the value itself"
        }
        if let call = expression.as(FunctionCallExprSyntax.self) {
            return "a call to '\(call.calledExpression.trimmedDescription)'; only DSL words can be called, as statements"
        }
        if expression.is(StringLiteralExprSyntax.self) { return "a string" }
        if expression.is(IntegerLiteralExprSyntax.self) { return "an integer" }
        if expression.is(FloatLiteralExprSyntax.self) { return "a decimal number" }
        if expression.is(BooleanLiteralExprSyntax.self) { return "a boolean" }
        if expression.is(ArrayExprSyntax.self) { return "an array" }
        if expression.is(ClosureExprSyntax.self) { return "a closure" }
        return "'\(expression.trimmedDescription.prefix(40))', which a rule file doesn't support"
    }

    func unsupported(_ item: CodeBlockItemSyntax.Item, place: Vocabulary.Place) {
        let words = place.words.joined(separator: ", ")
        let message: String
        switch item {
        case .decl(let decl):
            let keyword = decl.as(VariableDeclSyntax.self)?.bindingSpecifier.text
                ?? decl.as(FunctionDeclSyntax.self).map { _ in "func" }
            message = "declarations\(keyword.map { " ('\($0)')" } ?? "") aren't supported in a rule file; write values out where they are used"
        case .stmt(let statement):
            let kind = statement.firstToken(viewMode: .sourceAccurate)?.text ?? "statement"
            message = "'\(kind)' isn't supported in a rule file; a rule file declares, it doesn't compute: write each statement out"
        case .expr(let expression):
            if let keyword = expression.as(IfExprSyntax.self).map({ _ in "if" }) ?? expression.as(SwitchExprSyntax.self).map({ _ in "switch" }) {
                message = "'\(keyword)' isn't supported in a rule file; a rule file declares, it doesn't compute: write each statement out"
            } else if place == .topLevel {
                message = "expected Partition(\"name\") { … }, found \(describe(expression))"
            } else {
                message = "expected one of \(words) \(place.name), found \(describe(expression))"
            }
        }
        error(message, at: item)
    }

    func unknownWord(_ word: String, at node: some SyntaxProtocol, place: Vocabulary.Place) {
        var message = "'\(word)' isn't a DSL word \(place.name)"
        let elsewhere: [Vocabulary.Place] = [.topLevel, .partitionBody, .ruleBody].filter { $0 != place }
        if let home = elsewhere.first(where: { $0.words.contains(word) }) {
            message = "'\(word)' can't be used \(place.name); it belongs \(home.name)"
        } else if let suggestion = closestMatch(to: word, in: place.words) {
            message += "; did you mean '\(suggestion)'?"
        } else {
            message += "; the words here are \(place.words.joined(separator: ", "))"
        }
        error(message, at: node)
    }
}
