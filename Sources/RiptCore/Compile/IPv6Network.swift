#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv6 address with a prefix length: a host (`/128`) or a network.
public struct IPv6Network: Hashable, Sendable, CustomStringConvertible {
    /// The address, host byte order (the first group in the top 16 bits);
    /// host bits are always zero.
    public let address: UInt128
    public let prefixLength: Int

    public init(address: UInt128, prefixLength: Int) {
        precondition((0...128).contains(prefixLength))
        self.address = address & IPv6Network.mask(prefixLength)
        self.prefixLength = prefixLength
    }

    public static let any = IPv6Network(address: 0, prefixLength: 0)

    public var isAny: Bool { prefixLength == 0 }
    public var isHost: Bool { prefixLength == 128 }
    public var mask: UInt128 { IPv6Network.mask(prefixLength) }

    static func mask(_ length: Int) -> UInt128 {
        length == 0 ? 0 : UInt128.max << (128 - length)
    }

    /// The address in network byte order, as `in6_addr` holds it.
    public var bytes: [UInt8] { IPv6Network.bytes(address) }
    public var maskBytes: [UInt8] { IPv6Network.bytes(mask) }

    static func bytes(_ value: UInt128) -> [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: value >> (120 - 8 * $0)) }
    }

    /// `2001:db8::10` for a host, `2001:db8::/64` for a network: how ript prints addresses.
    public var description: String { isHost ? text(address) : cidr }

    /// Always with the prefix, as ip6tables-save prints it: `2001:db8::10/128`.
    public var cidr: String { "\(text(address))/\(prefixLength)" }

    /// Parses an IPv6 address (any form of RFC 4291 that `inet_pton`
    /// reads: `2001:db8::10`, `::ffff:192.0.2.1`) with an optional prefix
    /// of 0–128; no zone (`%eth0`), no host bits set beyond the prefix.
    public static func parse(_ text: String) -> Result<IPv6Network, AddressError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parseAddress(String(parts[0])) else {
            return .failure(AddressError("'\(text)' isn't an IPv6 address or network; write it like 2001:db8::10 or 2001:db8::/64"))
        }
        var length = 128
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                digits == "0" || !digits.hasPrefix("0"), let value = Int(digits), value <= 128
            else {
                return .failure(AddressError("'\(text)' has a bad prefix length; an IPv6 prefix is /0 to /128"))
            }
            length = value
        }
        let network = IPv6Network(address: address, prefixLength: length)
        guard network.address == address else {
            return .failure(AddressError("'\(text)' has host bits set beyond /\(length); did you mean '\(network.cidr)'?"))
        }
        return .success(network)
    }

    private static func parseAddress(_ text: String) -> UInt128? {
        // inet_pton takes only the address itself; nothing else may hide in it.
        guard !text.isEmpty, text.count <= 45, text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { return nil }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { bytes in bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    /// The address as `inet_ntop` (and so ip6tables-save) writes it.
    private func text(_ value: UInt128) -> String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: IPv6Network.bytes(value)) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else {
            preconditionFailure("inet_ntop failed for an IPv6 address")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
