import CIPTables
import RiptCore
@testable import RiptKernel
import Testing

/// Verifying ript's chains byte for byte instead of decoding them: what the
/// kernel changes in an entry (counters, `comefrom`, a name's bytes after
/// its NUL) must not matter, and everything else must.
@Suite struct ByteVerificationTests {
    static func rules(_ family: Family) -> [Rule] {
        let (host, network) = family == .ipv4 ? (EntryLayoutTests.host, EntryLayoutTests.network) : (EntryLayoutTests.host6, EntryLayoutTests.network6)
        let address: IPAddress = family == .ipv4 ? .v4(0xCB00_710A) : EntryLayoutTests.address6
        let icmp = family == .ipv4 ? IPProtocol(number: 1, name: "icmp") : IPProtocol(number: 58, name: "ipv6-icmp")
        return [
            Rule(family, target: .accept),
            Rule(family, source: network, destination: host, inInterface: "vlan+", ipProtocol: .tcp, destinationPort: PortRange(8000, 8900), target: .reject(.portUnreachable)),
            Rule(family, destination: host, inInterface: "eth0", ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .drop),
            Rule(family, source: host, ipProtocol: icmp, target: .log(.standard)),
            Rule(family, source: network, destination: host, ipProtocol: .tcp, destinationPort: PortRange(2222, 2222), target: .dnat(address: address, port: 22)),
            Rule(family, source: network, target: .snat(address: address)),
        ]
    }
    static let expected = ExpectedChains(Family.allCases.map { (table: FamilyTable($0, .filter), name: "web-a1b2c3d", rules: rules($0)) })

    /// The chain's entries as the kernel might give them back: kernel form,
    /// with counters and comefrom filled in and `junk` after each name's NUL.
    static func kernelEntries(_ family: Family, junk: UInt8 = 0) -> [[UInt8]] {
        let layout = EntryLayout.of(family)
        return rules(family).map { rule in
            var bytes = IPTCTable.kernelEntries(for: [rule])!
            for offset in layout.comefromAt..<layout.size { bytes[offset] = 0x5A }
            var offset = layout.size
            while offset < bytes.count {
                let size = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
                if let nul = (offset + 2..<offset + 31).first(where: { bytes[$0] == 0 }) {
                    for index in (nul + 1)..<(offset + 31) { bytes[index] = junk }
                }
                offset += size
            }
            return bytes
        }
    }

    static func verify(_ entries: [[UInt8]], _ family: Family, name: String = "web-a1b2c3d", table: Table = .filter) -> KernelRules? {
        let copies = entries.map { entry in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: entry.count, alignment: 8)
            buffer.copyBytes(from: entry)
            return UnsafeRawBufferPointer(buffer)
        }
        defer { copies.forEach { $0.deallocate() } }
        return expected.verify(name, in: FamilyTable(family, table), entries: copies)
    }

    @Test("a chain as ript wrote it verifies as its compiled rules, whatever the kernel put in counters, comefrom and name padding",
          arguments: Family.allCases)
    func verifiesUntouchedChain(_ family: Family) throws {
        let verified = try #require(Self.verify(Self.kernelEntries(family, junk: 0xEE), family))
        #expect(verified.wereVerified)
        #expect(verified.areExactly(Self.rules(family)))
        #expect(verified.map(\.rule) == Self.rules(family))
    }

    @Test("kernel form is what libiptc commits: verdicts as standard targets that decode to the same rules", arguments: Family.allCases)
    func kernelFormDecodes(_ family: Family) {
        for (rule, bytes) in zip(Self.rules(family), Self.kernelEntries(family)) {
            let target: String = switch rule.target {
            case .accept: "ACCEPT"
            case .drop: "DROP"
            default: EntryLayoutTests.targetName(rule.target)
            }
            #expect(IPTCTable.rule(from: KernelEntry(bytes: bytes, targetName: target), family: family, chains: [], protocols: EntryLayoutTests.protocols) == rule)
        }
        // Jumps come back as offsets: chains with them are never verified by bytes.
        #expect(IPTCTable.kernelEntries(for: [Rule(family, target: .jump("web-a1b2c3d"))]) == nil)
    }

    @Test("any other byte changed, a rule missing, added or moved, or another name, table or family: decoded instead",
          arguments: Family.allCases)
    func refusesEverythingElse(_ family: Family) {
        let layout = EntryLayout.of(family)
        let entries = Self.kernelEntries(family)
        // Every byte outside counters/comefrom and name padding matters.
        for (index, entry) in entries.enumerated() {
            var offsets = Array(0..<layout.comefromAt) + Array(layout.size..<entry.count)
            // Skip name padding (bytes after the NUL of each extension's name).
            var offset = layout.size
            var padding = Set<Int>()
            while offset < entry.count {
                let size = Int(entry[offset]) | Int(entry[offset + 1]) << 8
                if let nul = (offset + 2..<offset + 31).first(where: { entry[$0] == 0 }) { padding.formUnion((nul + 1)..<(offset + 31)) }
                offset += size
            }
            offsets.removeAll { padding.contains($0) }
            for byte in offsets {
                var changed = entries
                changed[index][byte] ^= 0x01
                #expect(Self.verify(changed, family) == nil, "rule \(index), byte \(byte)")
            }
        }
        #expect(Self.verify(Array(entries.dropLast()), family) == nil)
        #expect(Self.verify(entries + [entries[0]], family) == nil)
        #expect(Self.verify([entries[1], entries[0]] + entries.dropFirst(2), family) == nil)
        #expect(Self.verify(entries, family, name: "web-a1b2c3e") == nil)
        #expect(Self.verify(entries, family, table: .nat) == nil)
        #expect(Self.verify(entries, family.other) == nil)
        #expect(Self.verify([], family) == nil)
    }
}
