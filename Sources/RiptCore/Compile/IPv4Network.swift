/// An IPv4 address with a prefix length: a host (`/32`) or a network.
public struct IPv4Network: NetworkPrefix {
    public let address: UInt32
    public let prefixLength: Int

    public init(address: UInt32, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.address = address & IPv4Network.mask(prefixLength)
        self.prefixLength = prefixLength
    }

    public static let any = IPv4Network(address: 0, prefixLength: 0)
    public static let familyName = "IPv4"
    public static let examples = "192.0.2.10 or 198.51.100.0/24"

    /// `a.b.c.d`, strictly: four decimal octets without leading zeros
    /// (inet_aton would read `010` as octal).
    public static func parseAddress(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = decimal(octet), byte <= 255 else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    public static func text(_ address: UInt32) -> String { dotted(address) }
}

func dotted(_ address: UInt32) -> String {
    "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
}
