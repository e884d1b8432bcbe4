import RiptCore

/// Which chains are ript's: the three hook chains, and `NAME-[ads]HASH`
/// chains in the table of their kind. Everything else belongs to someone else.
public enum Ownership {
    /// The hook chains ript keeps in TABLE (`Bootstrap`).
    public static func hookChains(in table: Table) -> [String] {
        Bootstrap.chains.filter { $0.table == table }.map(\.name)
    }

    /// The partition chain NAME names in TABLE (`ChainName`: `NAME-aHASH` in
    /// filter, `NAME-dHASH` and `NAME-sHASH` in nat), or nil.
    public static func partitionChain(_ name: String, in table: Table) -> ChainName? {
        ChainName(parsing: name, in: table)
    }

    /// Whether ript owns this chain.
    public static func owns(_ chain: String, in table: Table) -> Bool {
        hookChains(in: table).contains(chain) || partitionChain(chain, in: table) != nil
    }
}
