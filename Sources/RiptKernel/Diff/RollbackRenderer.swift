import RiptCore

/// Renders a rollback's operations as the iptables and ip6tables commands
/// that would make them, in generate's syntax (as `PlanRenderer` does for a
/// plan): printed after a rollback, and, when one fails, as what is left
/// to do by hand.
enum RollbackRenderer {
    /// The operations as iptables or ip6tables commands; entries ript cannot
    /// spell are named by their target and restored from their saved bytes.
    static func commands(_ operations: [RollbackOperation], in current: OwnedTable, saved: OwnedTable, protocols: ProtocolTable) -> String {
        let key = current.key
        let chains = current.allChains.union(saved.allChains)
        func command(_ words: [String], _ entry: SavedEntry? = nil) -> String {
            let line = CommandRenderer.command(key.family, key.table, words)
            guard let entry else { return line }
            let target = entry.bytes.withUnsafeBytes { IPTCTable.targetName(of: $0, family: key.family) }
            return line.dropLast() + "  # a rule ript cannot spell (target \(target.isEmpty ? "none" : target)), restored from its saved bytes\n"
        }
        func spelled(_ entry: SavedEntry) -> [String]? {
            entry.bytes.withUnsafeBytes { bytes in
                IPTCTable.rule(from: bytes, family: key.family, targetName: IPTCTable.targetName(of: bytes, family: key.family), chains: chains, protocols: protocols)
            }?.arguments(.long)
        }
        return operations.map { operation in
            switch operation {
            case .createChain(let chain):
                command(["--new-chain", chain])
            case .insert(let chain, let position, let entry):
                spelled(entry).map { command(["--insert", chain, String(position + 1)] + $0) }
                    ?? command(["--insert", chain, String(position + 1)], entry)
            case .append(let chain, let entry):
                spelled(entry).map { command(["--append", chain] + $0) } ?? command(["--append", chain], entry)
            case .delete(let chain, let position, let entry):
                command(["--delete", chain] + (spelled(entry) ?? [String(position + 1)]))
            case .empty(let chain, _):
                command(["--flush", chain])
            case .deleteChain(let chain):
                command(["--delete-chain", chain])
            case .setPolicy(let chain, let policy):
                command(["--policy", chain, policy])
            }
        }.joined()
    }
}
