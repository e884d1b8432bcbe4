import CIPTables
import RiptCore
@testable import RiptKernel
import Testing

/// Verifying ript's chains byte for byte instead of decoding them: what the
/// kernel changes in an entry (counters, `comefrom`, a name's bytes after
/// its NUL) must not matter, and everything else must.
@Suite struct ByteVerificationTests {
    static let host = EntryLayoutTests.host
    static let network = EntryLayoutTests.network
    static let rules: [Rule] = [
        Rule(target: .accept),
        Rule(source: network, destination: host, inInterface: "vlan+", ipProtocol: .tcp, destinationPort: PortRange(8000, 8900), target: .reject),
        Rule(destination: host, inInterface: "eth0", ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .drop),
        Rule(source: host, ipProtocol: IPProtocol(number: 1, name: "icmp"), target: .log),
        Rule(source: network, destination: host, ipProtocol: .tcp, destinationPort: PortRange(2222, 2222), target: .dnat(address: 0xC0A8_0501, port: 22)),
        Rule(source: network, target: .snat(address: 0xCB00_710A)),
    ]
    static let expected = ExpectedChains([(table: .filter, name: "web-a1b2c3d", rules: rules)])

    /// The chain's entries as the kernel might give them back: kernel form,
    /// with counters and comefrom filled in and `junk` after each name's NUL.
    static func kernelEntries(junk: UInt8 = 0) -> [[UInt8]] {
        rules.map { rule in
            var bytes = IPTCTable.kernelEntries(for: [rule])!
            for offset in MemoryLayout<ipt_entry>.offset(of: \ipt_entry.comefrom)!..<MemoryLayout<ipt_entry>.size { bytes[offset] = 0x5A }
            var offset = MemoryLayout<ipt_entry>.size
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

    static func verify(_ entries: [[UInt8]], name: String = "web-a1b2c3d", table: Table = .filter) -> KernelRules? {
        let copies = entries.map { entry in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: entry.count, alignment: 8)
            buffer.copyBytes(from: entry)
            return UnsafeRawBufferPointer(buffer)
        }
        defer { copies.forEach { $0.deallocate() } }
        return expected.verify(name, in: table, entries: copies)
    }

    @Test("a chain as ript wrote it verifies as its compiled rules, whatever the kernel put in counters, comefrom and name padding")
    func verifiesUntouchedChain() throws {
        let verified = try #require(Self.verify(Self.kernelEntries(junk: 0xEE)))
        #expect(verified.wereVerified)
        #expect(verified.areExactly(Self.rules))
        #expect(verified.map(\.rule) == Self.rules)
    }

    @Test("kernel form is what libiptc commits: verdicts as standard targets that decode to the same rules")
    func kernelFormDecodes() {
        for (rule, bytes) in zip(Self.rules, Self.kernelEntries()) {
            let target: String = switch rule.target {
            case .accept: "ACCEPT"
            case .drop: "DROP"
            default: EntryLayoutTests.targetName(rule.target)
            }
            #expect(IPTCTable.rule(from: KernelEntry(bytes: bytes, targetName: target), chains: [], protocols: EntryLayoutTests.protocols) == rule)
        }
        // Jumps come back as offsets: chains with them are never verified by bytes.
        #expect(IPTCTable.kernelEntries(for: [Rule(target: .jump("web-a1b2c3d"))]) == nil)
    }

    @Test("any other byte changed, a rule missing, added or moved, or another name or table: decoded instead")
    func refusesEverythingElse() {
        let entries = Self.kernelEntries()
        let comefrom = MemoryLayout<ipt_entry>.offset(of: \ipt_entry.comefrom)!
        // Every byte outside counters/comefrom and name padding matters.
        for (index, entry) in entries.enumerated() {
            var offsets = Array(0..<comefrom) + Array(MemoryLayout<ipt_entry>.size..<entry.count)
            // Skip name padding (bytes after the NUL of each extension's name).
            var offset = MemoryLayout<ipt_entry>.size
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
                #expect(Self.verify(changed) == nil, "rule \(index), byte \(byte)")
            }
        }
        #expect(Self.verify(Array(entries.dropLast())) == nil)
        #expect(Self.verify(entries + [entries[0]]) == nil)
        #expect(Self.verify([entries[1], entries[0]] + entries.dropFirst(2)) == nil)
        #expect(Self.verify(entries, name: "web-a1b2c3e") == nil)
        #expect(Self.verify(entries, table: .nat) == nil)
        #expect(Self.verify([]) == nil)
    }
}
