@testable import RiptCore
import Testing

/// "Did you mean": the closest real word to a misspelt one, by a table.
@Suite struct SuggestionTests {
    static let ruleWords = Vocabulary.ruleBody
    static let partitionWords = Vocabulary.partitionBody

    @Test("a misspelt word suggests the closest real word of its place, or nothing when none is close",
          arguments: [
            // One edit: a letter missing, extra, changed, or two swapped.
            ("Protocol", ruleWords, "Protocols"),
            ("Port", ruleWords, "Ports"),
            ("Portss", ruleWords, "Ports"),
            ("Interfaces", ruleWords, "Interface"),
            ("Dnat", ruleWords, "DNAT"),
            ("Acept", partitionWords, "Accept"),
            ("Lable", partitionWords, "Label"),
            ("accept", partitionWords, "Accept"),
            // The start of a word, three letters or more.
            ("Proto", ruleWords, "Protocols"),
            ("Inter", ruleWords, "Interface"),
            ("Rew", partitionWords, "Rewrite"),  // not Raw, one edit away
            // Nothing close: no suggestion rather than a wrong one.
            ("Allow", partitionWords, nil),
            ("In", ruleWords, nil),
            ("Redirect", ruleWords, nil),
            // The new words: the one meant, not a shorter word inside it.
            ("OutInterfce", ruleWords, "OutInterface"),
            ("Masquerading", ruleWords, "Masquerade"),
            ("SourcePort", ruleWords, "SourcePorts"),
            ("ConnectionTraking", partitionWords, "ConnectionTracking"),
          ] as [(String, [String], String?)])
    func suggestion(_ word: String, _ candidates: [String], _ expected: String?) {
        #expect(closestMatch(to: word, in: candidates) == expected)
    }

    @Test("of words as many edits away, the one sharing the longest beginning wins, whatever the candidates' order",
          arguments: [
            // A future word for the output interface beside today's input one.
            ("OutInterface", ["Interface", "OutputInterface"], "OutputInterface"),
            ("OutInterface", ["OutputInterface", "Interface"], "OutputInterface"),
            ("InInterface", ["OutputInterface", "Interface"], "Interface"),
            // Fewer edits beat a longer shared beginning.
            ("Ports", ["Port", "Portal"], "Port"),
            // A tie in both: the first by name.
            ("wbe", ["web", "wee"], "web"),
            ("wbe", ["wee", "web"], "web"),
          ] as [(String, [String], String?)])
    func ranking(_ word: String, _ candidates: [String], _ expected: String?) {
        #expect(closestMatch(to: word, in: candidates) == expected)
    }

    @Test("a word longer than any ript suggests for, or a candidate far longer, costs no distance table")
    func longWords() {
        #expect(closestMatch(to: String(repeating: "a", count: maximumSuggestedLength + 1), in: ["a"]) == nil)
        #expect(closestMatch(to: "web", in: ["web" + String(repeating: "x", count: 1_000_000)]) != nil)
    }
}
