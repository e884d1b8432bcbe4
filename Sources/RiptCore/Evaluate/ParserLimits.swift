import RiptDSL
// The lexer is SwiftParser's testing SPI: the only way to read the tokens the
// parser will read without parsing. Package.swift pins swift-syntax exactly.
@_spi(Testing) import SwiftParser
@_spi(RawSyntax) import SwiftSyntax

/// Bounds on a rule file's tokens, checked before it is parsed, that keep
/// SwiftParser fast and its recursion shallow whatever the file holds.
///
/// SwiftParser stops at 256 levels of brackets, but that is not enough: its
/// lookahead for `[…]` as a type takes time exponential in the `[` it is
/// inside (25 of them take minutes), its recovery from unclosed brackets time
/// cubic in how many are open, and chains it doesn't count as nesting
/// (`a.b.c…`, `f()()…`, `try try …`, `a ? b : c ? …`, `A -> A -> …`) recurse as
/// deep as they are long, in the parser or in the walks over the tree after
/// it: a few kilobytes of them overflow the stack. A rule file needs none of
/// that. So SwiftParser's own lexer reads the tokens first, and a file that
/// nests brackets deeper than rule files do, or holds more tokens that are no
/// part of a rule file than a mistaken one would, gets one diagnostic and no
/// parse. A file within the bounds is parsed and reported on as before.
enum ParserLimits {
    /// Brackets of any kind open at once (a rule file needs about 8). SwiftParser's
    /// recovery from unclosed brackets takes time cubic in how many are open.
    static let maximumNesting = 32
    /// `[` open at once within one closure (a rule file needs 1, for a label list).
    static let maximumSquareNesting = 4
    /// Tokens that are no part of a rule file (the evaluator reports each of them).
    static let maximumForeignTokens = 64
    /// Syntax errors SwiftParser's diagnostics generator is given: its time
    /// grows with the square of their number (8,000 stray '"""' took 10 s).
    static let maximumSyntaxErrors = 100

    /// The words a rule file is written in: the DSL's, its argument labels,
    /// the cases of its enums (`.input`, `.drop`) and their types, and the import.
    static let words: Set<String> = Set(Vocabulary.topLevel + Vocabulary.partitionBody + Vocabulary.ruleBody)
        .union(labels)
        .union(["true", "false", "import", "RiptDSL"])
        .union(Members.names)

    /// The argument labels of the DSL's words.
    static let labels: Set<String> = ["address", "log", "with", "prefix", "level", "per", "burst", "direction", "input", "forward", "output"]

    /// The first bound the file breaks, as a diagnostic at the token that breaks it.
    static func check(_ source: RuleSource) -> Diagnostic? {
        var text = source.text
        return text.withUTF8 { buffer -> Diagnostic? in
            var tracker = LookaheadTracker()
            return withUnsafeMutablePointer(to: &tracker) { tracker -> Diagnostic? in
                var open: [RawTokenKind] = []
                var foreign = 0
                var firstForeign: (offset: Int, text: String)?
                var previous: (kind: RawTokenKind, text: String) = (.endOfFile, "")
                var beforePrevious = RawTokenKind.endOfFile
                var offset = 0
                func failure(_ message: String, at offset: Int) -> Diagnostic {
                    Diagnostic(message, at: position(of: offset, in: buffer, file: source.path))
                }
                for token in Lexer.tokenize(buffer, lookaheadTracker: tracker, experimentalFeatures: []) {
                    let start = offset + token.leadingTriviaText.count
                    offset += token.byteLength
                    let kind = token.rawTokenKind
                    if kind == .endOfFile { break }
                    // Text only where it decides: words and operators.
                    let tokenText: String
                    switch kind {
                    case .identifier, .keyword, .binaryOperator, .prefixOperator: tokenText = String(syntaxText: token.tokenText)
                    default: tokenText = ""
                    }
                    switch kind {
                    case .leftParen, .leftSquare, .leftBrace:
                        open.append(kind)
                        if open.count > maximumNesting {
                            return failure("brackets nest more than \(maximumNesting) deep here; a rule file needs far fewer, so ript doesn't read this one further", at: start)
                        }
                        if kind == .leftSquare, open.reversed().prefix(while: { $0 != .leftBrace }).filter({ $0 == .leftSquare }).count > maximumSquareNesting {
                            return failure("'[' nests more than \(maximumSquareNesting) deep here; a rule file needs one, for a list of labels like [\"www\", \"shop\"], so ript doesn't read this one further", at: start)
                        }
                    case .rightParen, .rightSquare, .rightBrace:
                        _ = open.popLast()
                    default:
                        break
                    }
                    if !belongs(kind, tokenText, after: previous, beforePrevious, in: open.last) {
                        foreign += 1
                        if firstForeign == nil { firstForeign = (start, String(syntaxText: token.tokenText)) }
                        if foreign > maximumForeignTokens, let first = firstForeign {
                            let shown = first.text.count > 40 ? first.text.prefix(40) + "…" : first.text
                            return failure("this file has more than \(maximumForeignTokens) tokens that are no part of a rule file, the first here ('\(shown)'); a rule file holds only the DSL words, string and integer literals, brackets, ',', ';', '...' and '=>', so ript doesn't read this one further", at: first.offset)
                        }
                    }
                    beforePrevious = previous.kind
                    previous = (kind, tokenText)
                }
                return nil
            }
        }
    }

    /// Whether a token can stand where it is in a rule file. An opening
    /// bracket straight after a closing one applies a result (`f()()`,
    /// `x[0][0]`), except a trailing closure after a call's `)`; a colon
    /// belongs only to an argument label (`address:`, `log:`, `per:`, …) that starts an
    /// argument in parentheses, not to a statement label.
    static func belongs(
        _ kind: RawTokenKind, _ text: String, after previous: (kind: RawTokenKind, text: String), _ beforePrevious: RawTokenKind,
        in bracket: RawTokenKind?
    ) -> Bool {
        switch kind {
        case .identifier, .keyword:
            return words.contains(text)
        case .leftParen, .leftSquare, .leftBrace:
            switch previous.kind {
            case .rightParen: return kind == .leftBrace
            case .rightSquare, .rightBrace: return false
            default: return true
            }
        case .rightParen, .rightSquare, .rightBrace, .comma, .semicolon, .integerLiteral, .ellipsis,
            .stringQuote, .multilineStringQuote, .stringSegment, .rawStringPoundDelimiter:
            return true
        case .period:
            return true  // An enum case, `.input`.
        case .colon:
            return previous.kind == .identifier && labels.contains(previous.text)
                && bracket == .leftParen && (beforePrevious == .comma || beforePrevious == .leftParen)
        case .binaryOperator:
            return text == "..." || text == "=>"
        case .prefixOperator:
            return text == "-"
        default:
            return false
        }
    }

    /// The position of a parsed file's first syntax error (a missing or
    /// malformed token, or unexpected text) if it has more than
    /// `maximumSyntaxErrors`. Only nodes with errors in them are walked; the
    /// token check keeps that walk shallow.
    static func firstOfTooManyErrors(in tree: Syntax) -> AbsolutePosition? {
        var count = 0
        var first: AbsolutePosition?
        func walk(_ node: Syntax) {
            for child in node.children(viewMode: .all) where child.hasError && count <= maximumSyntaxErrors {
                let token = child.as(TokenSyntax.self)
                if child.is(UnexpectedNodesSyntax.self) || token?.presence == .missing || token?.tokenDiagnostic != nil {
                    count += 1
                    if first == nil { first = child.positionAfterSkippingLeadingTrivia }
                } else {
                    walk(child)
                }
            }
        }
        walk(tree)
        return count > maximumSyntaxErrors ? first : nil
    }
}
