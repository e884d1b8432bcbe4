/// What IPv4 and IPv6 networks share: an address of a fixed width, a prefix
/// length, and how both are written and checked. Each family supplies only
/// how its addresses are read and written.
public protocol NetworkPrefix: Hashable, Sendable, CustomStringConvertible {
    associatedtype Address: FixedWidthInteger & UnsignedInteger & Sendable
    /// "IPv4" or "IPv6", for messages.
    static var familyName: String { get }
    /// A host and a network to show in messages: `192.0.2.10 or 198.51.100.0/24`.
    static var examples: String { get }

    /// The address, host byte order; host bits are always zero.
    var address: Address { get }
    var prefixLength: Int { get }
    /// Clears host bits beyond the prefix.
    init(address: Address, prefixLength: Int)

    /// The address alone, strictly; nil if it isn't one.
    static func parseAddress(_ text: Substring) -> Address?
    /// The address as iptables-save writes it.
    static func text(_ address: Address) -> String
}

extension NetworkPrefix {
    // Inlinable: the readers and writers of kernel entries use these for
    // every rule, from another module, where the generic code would not be
    // specialised.
    @inlinable public var isAny: Bool { prefixLength == 0 }
    @inlinable public var isHost: Bool { prefixLength == Address.bitWidth }
    @inlinable public var mask: Address { Self.mask(prefixLength) }

    @inlinable static func mask(_ length: Int) -> Address {
        length == 0 ? 0 : Address.max << (Address.bitWidth - length)
    }

    /// The address alone for a host, with its prefix for a network: how ript prints addresses.
    public var description: String { isHost ? Self.text(address) : cidr }

    /// Always with the prefix, as iptables-save prints it: `192.0.2.10/32`.
    public var cidr: String { "\(Self.text(address))/\(prefixLength)" }

    /// Parses an address with an optional prefix (plain decimal without a
    /// leading zero, up to the address width), refusing host bits set
    /// beyond the prefix.
    public static func parse(_ text: String) -> Result<Self, AddressError> {
        parseClearingHostBits(text).flatMap { network, hostBits in
            guard !hostBits else {
                return .failure(AddressError("'\(text)' has host bits set beyond /\(network.prefixLength); did you mean '\(network.cidr)'?"))
            }
            return .success(network)
        }
    }

    /// Parses as `parse` does, but takes an address with host bits set
    /// beyond the prefix as its network, as iptables and the original Ript
    /// do (`192.0.2.10/24` is `192.0.2.0/24`); `hostBits` says it had some.
    public static func parseClearingHostBits(_ text: String) -> Result<(network: Self, hostBits: Bool), AddressError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parseAddress(parts[0]) else {
            return .failure(AddressError("'\(text)' isn't an \(familyName) address or network; write it like \(examples)"))
        }
        var length = Address.bitWidth
        if parts.count == 2 {
            guard let value = decimal(parts[1]), value <= Address.bitWidth else {
                return .failure(AddressError("'\(text)' has a bad prefix length; an \(familyName) prefix is /0 to /\(Address.bitWidth)"))
            }
            length = value
        }
        let network = Self(address: address, prefixLength: length)
        return .success((network, network.address != address))
    }
}

/// Plain decimal digits (at most three), no sign, no leading zero.
func decimal(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }),
        text == "0" || !text.hasPrefix("0")
    else { return nil }
    return Int(text)
}

public struct AddressError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
