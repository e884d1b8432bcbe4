/// "Did you mean …?" for a misspelt word: the closest candidate, compared
/// without case. A candidate is close when it starts with the word (three
/// letters at least: "Proto" for "Protocols") or is within a small edit
/// distance of it. One it starts with comes first ("Rew" is Rewrite cut
/// short more likely than Raw mistyped); then the fewest edits; then the
/// longest beginning shared with the word ("OutInterface" is as many
/// edits from "Interface" as from "OutputInterface", but reads like the
/// second); then the first by name, so the answer never depends on the
/// candidates' order. Words longer than `maximumSuggestedLength` get
/// no suggestion: the distance takes time and memory that grow with the
/// product of the two lengths.
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    guard word.count <= maximumSuggestedLength else { return nil }
    let target = Array(word.lowercased())
    let limit = max(1, min(3, target.count / 3))
    var best: (name: String, rank: (Int, Int, Int))?
    for candidate in candidates {
        let other = Array(candidate.lowercased())
        let distance: Int
        let isStart = target.count >= 3 && other.starts(with: target)
        if isStart {
            distance = other.count - target.count  // the letters still to type
        } else {
            // Each character more or less is an edit at least.
            guard abs(other.count - target.count) <= limit else { continue }
            distance = editDistance(target, other)
            guard distance <= limit else { continue }
        }
        let shared = zip(target, other).prefix { $0 == $1 }.count
        let rank = (isStart ? 0 : 1, distance, -shared)
        if let best, best.rank < rank || (best.rank == rank && best.name <= candidate) { continue }
        best = (candidate, rank)
    }
    return best?.name
}

/// Names longer than this are not misspellings of a name ript knows.
let maximumSuggestedLength = 64

/// Edit distance counting an insertion, a deletion, a substitution or a
/// swap of two neighbours as one edit ("tpc" is one edit from "tcp").
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
