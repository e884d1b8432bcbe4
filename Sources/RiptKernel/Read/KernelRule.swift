import RiptCore

/// A rule as read from the kernel: the rule ript understands it to be, or
/// nil when it is nothing ript could have generated; then its entry is kept
/// too, to tell it apart and report it.
public struct KernelRule: Sendable, Hashable {
    public let rule: Rule?
    public let entry: KernelEntry?

    public init(rule: Rule?, entry: KernelEntry?) {
        self.rule = rule
        self.entry = rule == nil ? entry : nil
    }

    /// Decodes an entry in place; only what ript can't decode is copied, to report it.
    init(decoding bytes: UnsafeRawBufferPointer, family: Family, targetName: String, chains: Set<String>, protocols: ProtocolTable) {
        let rule = IPTCTable.rule(from: bytes, family: family, targetName: targetName, chains: chains, protocols: protocols)
        self.init(rule: rule, entry: rule == nil ? KernelEntry(bytes: Array(bytes), targetName: targetName) : nil)
    }
}
