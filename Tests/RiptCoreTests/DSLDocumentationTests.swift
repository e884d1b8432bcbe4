import Foundation
import SwiftParser
import SwiftSyntax
import Testing

/// RiptDSL's doc comments are what a rule author's editor shows in Quick
/// Help, so every public declaration has one; functions and initializers
/// name each parameter under `- Parameters:`, and types, functions and
/// initializers show an example in a code block.
@Suite struct DSLDocumentationTests {
    @Test("every public declaration in Sources/RiptDSL has a doc comment, with its parameters and an example")
    func everyPublicDeclarationIsDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources/RiptDSL")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
            .map { String($0.path.dropFirst(root.path.count + 1)) }
            .sorted()
        #expect(files.count >= 4, "found \(files) under \(sources.path)")
        var audited = 0
        var problems: [String] = []
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            let audit = DocumentationAudit.run(text, file: file)
            audited += audit.audited
            problems += audit.problems
        }
        // RiptDSL has some 140 public declarations; far fewer means the walk missed them.
        #expect(audited >= 120, "only \(audited) public declarations found in \(files)")
        #expect(problems.isEmpty, "document these public RiptDSL declarations with /// (a one-line summary, - Parameters: naming each parameter, an example in ```swift):\n\(problems.joined(separator: "\n"))")
    }

    @Test("the audit names each undocumented public declaration and each parameter the docs leave out, and nothing internal")
    func auditFindsWhatIsMissing() {
        let source = """
            /// Documented, with an example.
            ///
            /// ```swift
            /// Thing()
            /// ```
            public struct Thing {
                public let bare: Int
                /// Documented.
                public let documented: Int
                let internalOne: Int
                /// Half documented.
                ///
                /// - Parameters:
                ///   - first: Documented.
                ///
                /// ```swift
                /// Thing(first: 1, second: 2)
                /// ```
                public init(first: Int, second label: Int) { bare = first; documented = label; internalOne = 0 }
            }

            public enum Choice { case one }

            /// Documented, but no example.
            public protocol Shape { var sides: Int { get } }

            public extension Thing { func extra() {} }

            func internalFunction(value: Int) {}
            """
        let audit = DocumentationAudit.run(source, file: "Example.swift")
        #expect(audit.problems == [
            "Example.swift:7: Thing.let bare has no doc comment",
            "Example.swift:19: Thing.init(first:second:) has no '- label:' under '- Parameters:'",
            "Example.swift:22: enum Choice has no doc comment",
            "Example.swift:22: Choice.case one has no doc comment",
            "Example.swift:25: protocol Shape has no example in a code block",
            "Example.swift:25: Shape.var sides has no doc comment",
            "Example.swift:27: Thing.func extra() has no doc comment",
        ], "\(audit.problems)")
    }
}

/// Walks one file's syntax and checks the doc comment of every declaration
/// a client of the module sees: those marked `public` or `open` in a
/// public scope, members of a `public extension`, protocol requirements and
/// enum cases of public types, and operators and precedence groups (which
/// have no access level).
final class DocumentationAudit: SyntaxVisitor {
    private let converter: SourceLocationConverter
    private let file: String
    /// Whether each enclosing type or extension is public, and what it is called.
    private var scopes: [(name: String, isPublic: Bool, membersArePublic: Bool)] = []
    private(set) var audited = 0
    private(set) var problems: [String] = []

    static func run(_ text: String, file: String) -> DocumentationAudit {
        let tree = Parser.parse(source: text)
        let audit = DocumentationAudit(converter: SourceLocationConverter(fileName: file, tree: tree), file: file)
        audit.walk(tree)
        return audit
    }

    private init(converter: SourceLocationConverter, file: String) {
        self.converter = converter
        self.file = file
        super.init(viewMode: .sourceAccurate)
    }

    // MARK: What is public

    /// Whether a declaration with these modifiers is visible outside the module.
    private func isPublic(_ modifiers: DeclModifierListSyntax) -> Bool {
        let access = modifiers.map(\.name.tokenKind).first { kind in
            [.keyword(.public), .keyword(.open), .keyword(.package), .keyword(.internal), .keyword(.fileprivate), .keyword(.private)].contains(kind)
        }
        guard scopes.allSatisfy(\.isPublic) else { return false }
        if let access { return access == .keyword(.public) || access == .keyword(.open) }
        return scopes.last?.membersArePublic ?? false
    }

    private var prefix: String { scopes.last.map { "\($0.name)." } ?? "" }

    // MARK: Checking one declaration

    private func check(_ decl: some DeclSyntaxProtocol, _ name: String, parameters: [String] = [], needsExample: Bool = false) {
        audited += 1
        let line = converter.location(for: decl.positionAfterSkippingLeadingTrivia).line
        let at = "\(file):\(line): \(prefix)\(name)"
        let docs = decl.leadingTrivia.compactMap { piece -> String? in
            switch piece {
            case .docLineComment(let text): String(text.dropFirst(3))
            case .docBlockComment(let text): String(text.dropFirst(3).dropLast(2))
            default: nil
            }
        }.joined(separator: "\n")
        let lines = docs.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let summary = lines.first, !summary.isEmpty else {
            problems.append("\(at) has no doc comment")
            return
        }
        if !parameters.isEmpty {
            if !lines.contains("- Parameters:") {
                problems.append("\(at) has no '- Parameters:'")
            } else {
                for parameter in parameters where !lines.contains(where: { $0.hasPrefix("- \(parameter):") }) {
                    problems.append("\(at) has no '- \(parameter):' under '- Parameters:'")
                }
            }
        }
        if needsExample, !lines.contains(where: { $0.hasPrefix("```") }) {
            problems.append("\(at) has no example in a code block")
        }
    }

    /// The names a doc comment's `- Parameters:` uses: each parameter's inner name.
    private func names(_ parameters: FunctionParameterListSyntax) -> [String] {
        parameters.map { ($0.secondName ?? $0.firstName).text }.filter { $0 != "_" }
    }

    private func signature(_ base: String, _ parameters: FunctionParameterListSyntax) -> String {
        base + "(" + parameters.map { "\($0.firstName.text):" }.joined() + ")"
    }

    // MARK: Types and extensions

    private func enter(_ decl: some DeclSyntaxProtocol, _ kind: String, _ name: String, _ modifiers: DeclModifierListSyntax, membersArePublic: Bool = false) -> SyntaxVisitorContinueKind {
        let visible = isPublic(modifiers)
        if visible { check(decl, "\(kind) \(name)", needsExample: true) }
        scopes.append((name, visible, membersArePublic && visible))
        return .visitChildren
    }

    override func visit(_ node: StructDeclSyntax) -> SyntaxVisitorContinueKind { enter(node, "struct", node.name.text, node.modifiers) }
    override func visitPost(_ node: StructDeclSyntax) { scopes.removeLast() }
    override func visit(_ node: ClassDeclSyntax) -> SyntaxVisitorContinueKind { enter(node, "class", node.name.text, node.modifiers) }
    override func visitPost(_ node: ClassDeclSyntax) { scopes.removeLast() }
    override func visit(_ node: ActorDeclSyntax) -> SyntaxVisitorContinueKind { enter(node, "actor", node.name.text, node.modifiers) }
    override func visitPost(_ node: ActorDeclSyntax) { scopes.removeLast() }
    override func visit(_ node: EnumDeclSyntax) -> SyntaxVisitorContinueKind { enter(node, "enum", node.name.text, node.modifiers) }
    override func visitPost(_ node: EnumDeclSyntax) { scopes.removeLast() }
    override func visit(_ node: ProtocolDeclSyntax) -> SyntaxVisitorContinueKind {
        enter(node, "protocol", node.name.text, node.modifiers, membersArePublic: true)
    }
    override func visitPost(_ node: ProtocolDeclSyntax) { scopes.removeLast() }

    /// An extension needs no docs of its own; a `public extension` makes its members public.
    override func visit(_ node: ExtensionDeclSyntax) -> SyntaxVisitorContinueKind {
        let isPublicExtension = node.modifiers.contains { $0.name.tokenKind == .keyword(.public) }
        scopes.append((node.extendedType.trimmedDescription, true, isPublicExtension))
        return .visitChildren
    }
    override func visitPost(_ node: ExtensionDeclSyntax) { scopes.removeLast() }

    // MARK: Members and free declarations

    override func visit(_ node: EnumCaseDeclSyntax) -> SyntaxVisitorContinueKind {
        // An enum's cases are as visible as the enum.
        if scopes.allSatisfy(\.isPublic), !scopes.isEmpty {
            check(node, "case " + node.elements.map(\.name.text).joined(separator: ", "))
        }
        return .skipChildren
    }

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) {
            let parameters = node.signature.parameterClause.parameters
            check(node, "func " + signature(node.name.text, parameters), parameters: names(parameters), needsExample: true)
        }
        return .skipChildren
    }

    override func visit(_ node: InitializerDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) {
            let parameters = node.signature.parameterClause.parameters
            check(node, signature("init", parameters), parameters: names(parameters), needsExample: true)
        }
        return .skipChildren
    }

    override func visit(_ node: SubscriptDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) {
            let parameters = node.parameterClause.parameters
            check(node, signature("subscript", parameters), parameters: names(parameters), needsExample: true)
        }
        return .skipChildren
    }

    override func visit(_ node: VariableDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) {
            check(node, "\(node.bindingSpecifier.text) " + node.bindings.map(\.pattern.trimmedDescription).joined(separator: ", "))
        }
        return .skipChildren
    }

    override func visit(_ node: TypeAliasDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) { check(node, "typealias \(node.name.text)") }
        return .skipChildren
    }

    override func visit(_ node: AssociatedTypeDeclSyntax) -> SyntaxVisitorContinueKind {
        if isPublic(node.modifiers) { check(node, "associatedtype \(node.name.text)") }
        return .skipChildren
    }

    /// Operators and precedence groups have no access level: every client sees them.
    override func visit(_ node: OperatorDeclSyntax) -> SyntaxVisitorContinueKind {
        check(node, "operator \(node.name.text)", needsExample: true)
        return .skipChildren
    }

    override func visit(_ node: PrecedenceGroupDeclSyntax) -> SyntaxVisitorContinueKind {
        check(node, "precedencegroup \(node.name.text)", needsExample: true)
        return .skipChildren
    }
}
