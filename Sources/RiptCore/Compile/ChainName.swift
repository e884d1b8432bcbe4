/// Longest partition name: NAME + "-a" + 6 hex digits stays within the 28
/// characters libiptc keeps intact.
public let maximumPartitionNameLength = 20

/// The name of one of a partition's chains, `NAME-[aifods]HASH`: the partition's
/// name, a letter for the chain's kind and the partition's content hash,
/// like `joeblogsco-dd115b5`. The compiler names chains with it, and the
/// kernel side parses names with it to know which chains are ript's.
///
/// The hash covers everything the partition generates, so a changed
/// partition gets new chains beside the old ones, and nothing else can
/// change without the name changing too.
public struct ChainName: Hashable, Sendable, CustomStringConvertible {
    /// Which of a partition's chains: its letter in the name, and its table.
    public enum Kind: Character, Hashable, Sendable, CaseIterable {
        /// The filter chain of a partition whose rules have no direction,
        /// reached from INPUT, FORWARD and OUTPUT: `NAME-aHASH`.
        case filter = "a"
        /// A directed partition's INPUT rules: `NAME-iHASH`.
        case input = "i"
        /// A directed partition's FORWARD rules: `NAME-fHASH`.
        case forward = "f"
        /// A directed partition's OUTPUT rules: `NAME-oHASH`.
        case output = "o"
        /// The nat chain of DNAT rules: `NAME-dHASH`.
        case dnat = "d"
        /// The nat chain of SNAT rules: `NAME-sHASH`.
        case snat = "s"

        /// The table a chain of this kind is in.
        public var table: Table {
            switch self {
            case .filter, .input, .forward, .output: .filter
            case .dnat, .snat: .nat
            }
        }

        /// The one hook a directed filter chain is reached from; nil for the others.
        public var hook: Hook? {
            switch self {
            case .input: .input
            case .forward: .forward
            case .output: .output
            default: nil
            }
        }

        /// The directed filter chain of a hook.
        public static func directed(_ hook: Hook) -> Kind {
            switch hook {
            case .input: .input
            case .forward: .forward
            case .output: .output
            }
        }
    }

    public let partition: String
    public let kind: Kind
    /// `hashLength` lowercase hex digits.
    public let hash: String

    /// The hash's length: 3 bytes of a SHA-256, in hex.
    public static let hashLength = 6

    /// A partition name's bytes: ASCII letters, digits, '_' and '.'. Never
    /// '-', so the last one in a chain name is the one before the kind.
    public static func isPartitionNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    public init(partition: String, kind: Kind, hash: String) {
        self.partition = partition
        self.kind = kind
        self.hash = hash
    }

    /// The chain named NAME, when it is a partition chain of `table`
    /// (`NAME-[aifo]HASH` in filter, `NAME-dHASH` and `NAME-sHASH` in nat); nil
    /// for any other chain.
    public init?(parsing name: String, in table: Table) {
        // On bytes: the kernel side runs this for every chain and every jump on every read.
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ChainName? {
            let count = bytes.count, hashLength = Self.hashLength
            let dash = count - hashLength - 2
            guard dash > 0, dash <= maximumPartitionNameLength, bytes[dash] == UInt8(ascii: "-") else { return nil }
            let kind: Kind
            switch bytes[dash + 1] {
            case UInt8(ascii: "a"): kind = .filter
            case UInt8(ascii: "i"): kind = .input
            case UInt8(ascii: "f"): kind = .forward
            case UInt8(ascii: "o"): kind = .output
            case UInt8(ascii: "d"): kind = .dnat
            case UInt8(ascii: "s"): kind = .snat
            default: return nil
            }
            guard kind.table == table else { return nil }
            for byte in bytes[(count - hashLength)...] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) else { return nil }
            }
            guard bytes[..<dash].allSatisfy(Self.isPartitionNameByte) else { return nil }
            return ChainName(
                partition: String(decoding: bytes[..<dash], as: UTF8.self), kind: kind,
                hash: String(decoding: bytes[(count - hashLength)...], as: UTF8.self))
        }
        guard let parsed = name.utf8.withContiguousStorageIfAvailable(parse) ?? Array(name.utf8).withUnsafeBufferPointer(parse) else { return nil }
        self = parsed
    }

    /// `NAME-kHASH`.
    public var description: String { "\(partition)-\(kind.rawValue)\(hash)" }
}
