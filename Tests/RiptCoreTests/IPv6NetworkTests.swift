import RiptCore
import Testing

/// IPv6 addresses and networks: parsed as strictly as IPv4 ones, printed as
/// ip6tables-save prints them.
@Suite struct IPv6NetworkTests {
    @Test("addresses and networks parse and print in ip6tables-save's canonical form",
          arguments: [
            ("2001:db8::10", "2001:db8::10", "2001:db8::10/128"),
            ("2001:DB8:0:0:0:0:0:10", "2001:db8::10", "2001:db8::10/128"),
            ("2001:0db8::/64", "2001:db8::/64", "2001:db8::/64"),
            ("::", "::", "::/128"),
            ("::/0", "::/0", "::/0"),
            ("::1", "::1", "::1/128"),
            ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1", "2001:db8:0:1::1/128"),
            ("2001:db8::1:0:0:1", "2001:db8::1:0:0:1", "2001:db8::1:0:0:1/128"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1", "::ffff:192.0.2.1/128"),
            ("fe80::/10", "fe80::/10", "fe80::/10"),
          ])
    func canonical(_ text: String, _ description: String, _ cidr: String) throws {
        let network = try IPv6Network.parse(text).get()
        #expect(network.description == description)
        #expect(network.cidr == cidr)
    }

    @Test("the address and mask are laid out as in6_addr holds them, network byte order")
    func bytes() throws {
        let network = try IPv6Network.parse("2001:db8:1::/48").get()
        #expect(network.bytes == [0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01] + Array(repeating: 0, count: 10))
        #expect(network.maskBytes == Array(repeating: 0xFF, count: 6) + Array(repeating: 0, count: 10))
        #expect(try IPv6Network.parse("::/0").get().isAny)
        #expect(try IPv6Network.parse("2001:db8::10").get().isHost)
    }

    @Test("reading an address from bytes and storing one into bytes are inverses, in network byte order",
          arguments: ["::", "::1", "2001:db8::10", "fe80::1:2:3:4", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1:2:3:4:5:6:7:8"])
    func bytesRoundTrip(_ text: String) throws {
        let address = try #require(IPv6Network.parseAddress(Substring(text)))
        let bytes = IPv6Network.bytes(address)
        // Byte by byte, most significant first, against the 128-bit value.
        #expect(bytes == (0..<16).map { UInt8(truncatingIfNeeded: address >> (120 - 8 * $0)) })
        #expect(IPv6Network.address(bytes: bytes) == address)
        // Only the first 16 bytes are read and written.
        var buffer = [UInt8](repeating: 0xAA, count: 20)
        buffer.withUnsafeMutableBytes { IPv6Network.store(address, into: $0) }
        #expect(Array(buffer.prefix(16)) == bytes && buffer.suffix(4).allSatisfy { $0 == 0xAA })
        #expect(IPv6Network.address(bytes: buffer) == address)
        #expect(IPv6Network.text(address) == text)
    }

    @Test("malformed addresses, bad prefixes and host bits are refused with what to write",
          arguments: [
            ("2001:db8::10::1", "isn't an IPv6 address"),
            ("2001:db8:::1", "isn't an IPv6 address"),
            ("12345::", "isn't an IPv6 address"),
            ("2001:db8::g", "isn't an IPv6 address"),
            ("1:2:3:4:5:6:7:8:9", "isn't an IPv6 address"),
            ("fe80::1%eth0", "isn't an IPv6 address"),
            ("192.0.2.1", "isn't an IPv6 address"),
            ("", "isn't an IPv6 address"),
            (" 2001:db8::1", "isn't an IPv6 address"),
            ("2001:db8::/129", "an IPv6 prefix is /0 to /128"),
            ("2001:db8::/064", "an IPv6 prefix is /0 to /128"),
            ("2001:db8::/", "an IPv6 prefix is /0 to /128"),
            ("2001:db8::/-1", "an IPv6 prefix is /0 to /128"),
            ("2001:db8::1/64", "did you mean '2001:db8::/64'?"),
          ])
    func refused(_ text: String, _ message: String) {
        switch IPv6Network.parse(text) {
        case .success(let network): Issue.record("'\(text)' parsed as \(network)")
        case .failure(let error): #expect(error.message.contains(message), "\(error.message)")
        }
    }
}
