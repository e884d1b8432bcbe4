#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv6 address with a prefix length: a host (`/128`) or a network.
public struct IPv6Network: NetworkPrefix {
    /// The first group is in the top 16 bits.
    public let address: UInt128
    public let prefixLength: Int

    public init(address: UInt128, prefixLength: Int) {
        precondition((0...128).contains(prefixLength))
        self.address = address & IPv6Network.mask(prefixLength)
        self.prefixLength = prefixLength
    }

    public static let any = IPv6Network(address: 0, prefixLength: 0)
    public static let familyName = "IPv6"
    public static let examples = "2001:db8::10 or 2001:db8::/64"

    /// The address in network byte order, as `in6_addr` holds it.
    public var bytes: [UInt8] { IPv6Network.bytes(address) }
    public var maskBytes: [UInt8] { IPv6Network.bytes(mask) }

    /// An address in network byte order.
    public static func bytes(_ value: UInt128) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 16) { buffer, count in
            store(value, into: UnsafeMutableRawBufferPointer(buffer))
            count = 16
        }
    }

    /// Writes an address into the first 16 bytes of `raw`, network byte
    /// order. Two stores, not a generic loop: readers and writers of
    /// kernel entries call this for every IPv6 address.
    public static func store(_ value: UInt128, into raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= 16, "an IPv6 address takes 16 bytes")
        raw.storeBytes(of: UInt64(truncatingIfNeeded: value >> 64).bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: UInt64(truncatingIfNeeded: value).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// The inverse: the address in the first 16 bytes of `bytes`, network byte order.
    public static func address(bytes: UnsafeRawBufferPointer) -> UInt128 {
        precondition(bytes.count >= 16, "an IPv6 address takes 16 bytes")
        let high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return UInt128(high) << 64 | UInt128(low)
    }

    public static func address(bytes: [UInt8]) -> UInt128 {
        bytes.withUnsafeBytes { address(bytes: $0) }
    }

    /// Any form of RFC 4291 that `inet_pton` reads (`2001:db8::10`,
    /// `::ffff:192.0.2.1`); no zone (`%eth0`).
    public static func parseAddress(_ text: Substring) -> UInt128? {
        // inet_pton takes only the address itself; nothing else may hide in it.
        guard !text.isEmpty, text.utf8.count <= 45, text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { return nil }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, String(text), &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { address(bytes: $0) }
    }

    /// The address as `inet_ntop` (and so ip6tables-save) writes it.
    public static func text(_ value: UInt128) -> String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { store(value, into: $0) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else {
            preconditionFailure("inet_ntop failed for an IPv6 address")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
