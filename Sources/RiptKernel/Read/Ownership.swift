import RiptCore

/// Which chains are ript's: its hook chains (`partition-i`, `-f`, `-o` in
/// filter, `partition-d`, `-s` in nat), the filter hook chain of ript before
/// 0.2 (`partition-a`, which apply replaces), the policy marker
/// (`partition-p`), and `NAME-[aifods]HASH` chains in the table of their
/// kind. Everything else belongs to someone else.
public enum Ownership {
    /// The hook chains ript keeps in TABLE (`Bootstrap.chains`).
    public static func hookChains(in table: Table) -> [String] {
        Bootstrap.chains.filter { $0.table == table }.map(\.name)
    }

    /// Every chain of ript's in TABLE that is not a partition chain: the hook
    /// chains, and in filter the old layout's `partition-a` and the policy
    /// marker. Flush removes them all, with the jumps to them.
    public static func bootstrapChains(in table: Table) -> [String] {
        hookChains(in: table) + (table == .filter ? [Bootstrap.legacyFilterChain, Bootstrap.policyMarker] : [])
    }

    /// The partition chain NAME names in TABLE (`ChainName`: `NAME-[aifo]HASH`
    /// in filter, `NAME-dHASH` and `NAME-sHASH` in nat), or nil.
    public static func partitionChain(_ name: String, in table: Table) -> ChainName? {
        ChainName(parsing: name, in: table)
    }

    /// Whether ript owns this chain.
    public static func owns(_ chain: String, in table: Table) -> Bool {
        bootstrapChains(in: table).contains(chain) || partitionChain(chain, in: table) != nil
    }

    /// Whether a rule in a hook chain is one of ript's host-wide rules (the
    /// head of the filter hook chains, `HostSettings.rules`): they carry a
    /// comment that starts with `HostSettings.commentPrefix`.
    public static func isHostRule(_ rule: Rule) -> Bool {
        rule.comment?.hasPrefix(HostSettings.commentPrefix) ?? false
    }
}
