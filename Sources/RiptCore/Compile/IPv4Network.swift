/// An IPv4 address with a prefix length: a host (`/32`) or a network.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    /// The address, host byte order; host bits are always zero.
    public let address: UInt32
    public let prefixLength: Int

    public init(address: UInt32, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.address = address & IPv4Network.mask(prefixLength)
        self.prefixLength = prefixLength
    }

    public static let any = IPv4Network(address: 0, prefixLength: 0)

    public var isAny: Bool { prefixLength == 0 }
    public var isHost: Bool { prefixLength == 32 }
    public var mask: UInt32 { IPv4Network.mask(prefixLength) }

    static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - length)
    }

    /// `192.0.2.10` for a host, `198.51.100.0/24` for a network: how ript prints addresses.
    public var description: String { isHost ? dotted(address) : cidr }

    /// Always with the prefix, as iptables-save prints it: `192.0.2.10/32`.
    public var cidr: String { "\(dotted(address))/\(prefixLength)" }

    /// Parses `a.b.c.d` or `a.b.c.d/len`, strictly: four decimal octets without
    /// leading zeros (inet_aton would read `010` as octal), a prefix of 0–32,
    /// and no host bits set beyond the prefix.
    public static func parse(_ text: String) -> Result<IPv4Network, AddressError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parseDotted(parts[0]) else {
            return .failure(AddressError("'\(text)' isn't an IPv4 address or network; write it like 192.0.2.10 or 198.51.100.0/24"))
        }
        var length = 32
        if parts.count == 2 {
            guard let value = decimal(parts[1]), value <= 32 else {
                return .failure(AddressError("'\(text)' has a bad prefix length; an IPv4 prefix is /0 to /32"))
            }
            length = value
        }
        let network = IPv4Network(address: address, prefixLength: length)
        guard network.address == address else {
            return .failure(AddressError("'\(text)' has host bits set beyond /\(length); did you mean '\(network.cidr)'?"))
        }
        return .success(network)
    }

    private static func parseDotted(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = decimal(octet), byte <= 255 else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// Plain decimal digits, no sign, no leading zero.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            text == "0" || !text.hasPrefix("0")
        else { return nil }
        return Int(text)
    }
}

public struct AddressError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}

func dotted(_ address: UInt32) -> String {
    "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
}
