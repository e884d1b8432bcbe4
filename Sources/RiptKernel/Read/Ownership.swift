import RiptCore

/// Which chains are ript's: the three hook chains, and `NAME-[ads]HASH`
/// chains in the table of their kind. Everything else belongs to someone else.
public enum Ownership {
    /// A partition chain's parts, if the name is one.
    public struct PartitionChain: Hashable, Sendable {
        public let partition: String
        public let kind: Character
        public let hash: String
    }

    public static func hookChains(in table: Table) -> [String] {
        Bootstrap.chains.filter { $0.table == table }.map(\.name)
    }

    /// `NAME-aHASH` in filter, `NAME-dHASH` and `NAME-sHASH` in nat.
    public static func partitionChain(_ name: String, in table: Table) -> PartitionChain? {
        // On bytes: this runs for every chain and every jump on every read.
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> PartitionChain? {
            let count = bytes.count
            guard count >= 9, count <= maximumPartitionNameLength + 8, bytes[count - 8] == UInt8(ascii: "-") else { return nil }
            let kind = bytes[count - 7]
            switch (kind, table) {
            case (UInt8(ascii: "a"), .filter), (UInt8(ascii: "d"), .nat), (UInt8(ascii: "s"), .nat): break
            default: return nil
            }
            for byte in bytes[(count - 6)...] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) else { return nil }
            }
            for byte in bytes[..<(count - 8)] {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: "."):
                    continue
                default:
                    return nil
                }
            }
            return PartitionChain(
                partition: String(decoding: bytes[..<(count - 8)], as: UTF8.self), kind: Character(UnicodeScalar(kind)),
                hash: String(decoding: bytes[(count - 6)...], as: UTF8.self))
        }
        return name.utf8.withContiguousStorageIfAvailable(parse) ?? Array(name.utf8).withUnsafeBufferPointer(parse)
    }

    /// Whether ript owns this chain.
    public static func owns(_ chain: String, in table: Table) -> Bool {
        hookChains(in: table).contains(chain) || partitionChain(chain, in: table) != nil
    }
}
