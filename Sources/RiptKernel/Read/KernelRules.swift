import RiptCore

/// A chain's rules as read from the kernel: decoded one by one, or, when a
/// reader found the chain's entries byte for byte those ript writes for its
/// compiled chain of the same name (see `ExpectedChains`), those rules
/// without decoding anything. The common case for ript's own chains; any
/// difference at all (a hand edit, counters aside) sends the chain through
/// the decoder.
public struct KernelRules: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case decoded([KernelRule])
        case compiled([Rule])
    }
    private let storage: Storage

    public init(_ rules: [KernelRule]) { storage = .decoded(rules) }

    /// Rules whose entries were checked to be exactly these rules' entries.
    init(verified rules: [Rule]) { storage = .compiled(rules) }

    /// Whether a reader verified these byte for byte instead of decoding them.
    public var wereVerified: Bool {
        if case .compiled = storage { true } else { false }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .decoded(let rules): rules.count
        case .compiled(let rules): rules.count
        }
    }

    public subscript(position: Int) -> KernelRule {
        switch storage {
        case .decoded(let rules): rules[position]
        case .compiled(let rules): KernelRule(rule: rules[position], entry: nil)
        }
    }

    /// Whether these are exactly `rules`, in order; without comparing rule
    /// by rule when they were verified against the same compiled chain.
    public func areExactly(_ rules: [Rule]) -> Bool {
        switch storage {
        case .compiled(let verified): return verified == rules  // the same array: compared by identity first
        case .decoded(let decoded):
            guard decoded.count == rules.count else { return false }
            // By index: rules are large values, and zipping copies each one.
            for index in decoded.indices where decoded[index].rule != rules[index] { return false }
            return true
        }
    }

    /// Whether these are exactly the rules `rules` gives, in order, without
    /// gathering them into an array first.
    func areExactly(count: Int, _ rules: (_ each: (Rule) -> Bool) -> Bool) -> Bool {
        guard count == endIndex else { return false }
        var index = 0
        let same = rules { rule in
            guard index < endIndex else { return false }  // more than `count` after all
            defer { index += 1 }
            switch storage {
            case .compiled(let verified): return verified[index] == rule
            case .decoded(let decoded): return decoded[index].rule == rule
            }
        }
        return same && index == endIndex
    }
}

extension KernelRules: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: KernelRule...) { self.init(elements) }
}
