import Crypto
import RiptDSL
import RiptSupport

// The compile cache's file, one per rule PATH (`CompileCache`):
//
// "RIPTCACHE\n", fingerprint (32 bytes), a SHA-256 of everything after it
// (32 bytes), entry count, then per entry: its length, the rule file's
// path, its stamp (device, inode, size, modified, changed: 64 bits each),
// its digest (32 bytes) and its chain set. Integers are little-endian;
// strings are a u32 length and UTF-8 bytes. `CompileCache.formatVersion`,
// in the fingerprint, changes with it.

private let magic = Array("RIPTCACHE\n".utf8)

/// Writes a cache file's bytes.
struct CacheWriter {
    var bytes: [UInt8] = []

    mutating func write(fingerprint: [UInt8], entries: [(String, CompileCache.Entry)]) {
        bytes += magic
        bytes += fingerprint
        let checksumAt = bytes.count
        bytes += [UInt8](repeating: 0, count: 32)
        u32(entries.count)
        for (path, entry) in entries {
            // Each entry's length first, so a reader can parse them on every core.
            if let stored = entry.stored {
                u32(stored.count)
                bytes += stored
                continue
            }
            let lengthAt = bytes.count
            u32(0)
            string(path)
            for value in [Int64(bitPattern: entry.stamp.device), Int64(bitPattern: entry.stamp.inode), entry.stamp.size, entry.stamp.modified, entry.stamp.changed] {
                withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
            }
            bytes += entry.digest
            chainSet(entry.chainSet)
            withUnsafeBytes(of: UInt32(bytes.count - lengthAt - 4).littleEndian) { length in
                for index in 0..<4 { bytes[lengthAt + index] = length[index] }
            }
        }
        let checksum = Array(SHA256.hash(data: bytes[(checksumAt + 32)...]))
        bytes.replaceSubrange(checksumAt..<(checksumAt + 32), with: checksum)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func u32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { bytes += $0 } }
    mutating func string(_ value: String) {
        u32(value.utf8.count)
        bytes += value.utf8
    }
    mutating func table(_ value: Table) { u8(UInt8(Table.allCases.firstIndex(of: value)!)) }
    mutating func family(_ value: Family) { u8(value == .ipv4 ? 4 : 6) }

    mutating func chainSet(_ set: ChainSet) {
        string(set.partition)
        string(set.hash)
        string(set.location.file)
        u32(set.location.line)
        u32(set.location.column)
        u32(set.chains.count)
        for chain in set.chains {
            family(chain.family)
            table(chain.table)
            string(chain.name)
            u32(chain.rules.count)
            chain.rules.forEach { rule($0) }
        }
        u32(set.pointers.count)
        for pointer in set.pointers {
            family(pointer.family)
            table(pointer.table)
            string(pointer.chain)
            rule(pointer.rule)
        }
        u32(set.raw.count)
        for raw in set.raw {
            table(raw.table)
            string(raw.line)
            u32(raw.arguments.count)
            raw.arguments.forEach { string($0) }
        }
    }

    /// An address of the rule's family: 4 or 16 bytes.
    mutating func address(_ value: IPAddress) {
        switch value {
        case .v4(let address): u32(Int(address))
        case .v6(let address): bytes += IPv6Network.bytes(address)
        }
    }

    mutating func network(_ value: IPNetwork) {
        address(value.address)
        u8(UInt8(value.prefixLength))
    }

    mutating func rule(_ rule: Rule) {
        var flags: UInt16 = 0
        for (index, present) in [
            rule.source != nil, rule.destination != nil, rule.inInterface != nil, rule.ipProtocol != nil, rule.destinationPort != nil,
            rule.outInterface != nil, rule.sourcePort != nil, rule.icmpType != nil, rule.hopLimit != nil, rule.states != nil,
            rule.limit != nil, rule.comment != nil,
        ].enumerated() where present {
            flags |= 1 << index
        }
        family(rule.family)
        u16(flags)
        if let source = rule.source { network(source) }
        if let destination = rule.destination { network(destination) }
        if let interface = rule.inInterface { string(interface) }
        if let ipProtocol = rule.ipProtocol {
            u8(ipProtocol.number)
            string(ipProtocol.name)
        }
        if let ports = rule.destinationPort {
            u16(ports.first)
            u16(ports.last)
        }
        if let interface = rule.outInterface { string(interface) }
        if let ports = rule.sourcePort {
            u16(ports.first)
            u16(ports.last)
        }
        if let icmp = rule.icmpType {
            u8(icmp.type)
            u8(icmp.codes.lowerBound)
            u8(icmp.codes.upperBound)
        }
        if let hopLimit = rule.hopLimit { u8(hopLimit) }
        if let states = rule.states { u8(states.rawValue) }
        if let limit = rule.limit {
            u32(Int(limit.average))
            u32(Int(limit.burst))
        }
        if let comment = rule.comment { string(comment) }
        switch rule.target {
        case .accept: u8(0)
        case .drop: u8(1)
        case .reject(let reply):
            u8(2)
            u8(UInt8(RejectWith.allCases.firstIndex(of: reply)!))
        case .log(let options):
            u8(3)
            string(options.prefix)
            u8(options.level)
        case .jump(let chain):
            u8(4)
            string(chain)
        case .dnat(let address, let port):
            u8(5)
            self.address(address)
            u8(port == nil ? 0 : 1)
            u16(port ?? 0)
        case .snat(let address):
            u8(6)
            self.address(address)
        case .masquerade:
            u8(7)
        }
    }
}

/// Reads a cache file's bytes; anything malformed throws.
struct CacheReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    var offset: Int
    /// Where this reader's part of `bytes` ends.
    let end: Int

    init(_ bytes: [UInt8]) { self.init(bytes, bytes.indices) }

    private init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        offset = range.lowerBound
        end = range.upperBound
    }

    /// The entries, parsed on every core (each is on its own; loading the
    /// cache of 2,500 rule files was a serial 21 ms in every command), and
    /// only if the checksum says no byte changed since they were written.
    mutating func entries(fingerprint: [UInt8]) throws -> [String: CompileCache.Entry] {
        guard try take(magic.count) == magic, try take(32) == fingerprint else { throw Malformed() }
        let recorded = try take(32)
        let bytes = self.bytes, start = offset
        let intact = Later(inBackground: { Array(SHA256.hash(data: bytes[start...])) == recorded })
        var ranges: [Range<Int>] = []
        for _ in 0..<(try count()) {
            let length = try count()
            ranges.append(offset..<(offset + length))
            offset += length
        }
        guard offset == end else { throw Malformed() }
        let parsed = ranges.concurrentMap { range -> (String, CompileCache.Entry)? in
            var reader = CacheReader(bytes, range)
            guard let (path, entry) = try? reader.entry(), reader.offset == reader.end else { return nil }
            return (path, CompileCache.Entry(stamp: entry.stamp, digest: entry.digest, chainSet: entry.chainSet, stored: bytes[range]))
        }
        guard intact.value else { throw Malformed() }
        var entries: [String: CompileCache.Entry] = [:]
        entries.reserveCapacity(parsed.count)
        for entry in parsed {
            guard let (path, value) = entry else { throw Malformed() }
            entries[path] = value
        }
        return entries
    }

    private mutating func entry() throws -> (String, CompileCache.Entry) {
        let path = try string()
        let stamp = FileStamp(
            device: UInt64(bitPattern: try i64()), inode: UInt64(bitPattern: try i64()), size: try i64(),
            modified: try i64(), changed: try i64())
        let digest = try take(32)
        return (path, CompileCache.Entry(stamp: stamp, digest: digest, chainSet: try chainSet()))
    }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, offset + count <= end else { throw Malformed() }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func u8() throws -> UInt8 {
        guard offset < end else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try load(UInt64.self)) }

    /// A little-endian integer.
    private mutating func load<Integer: FixedWidthInteger>(_: Integer.Type) throws -> Integer {
        let size = MemoryLayout<Integer>.size
        guard offset + size <= end else { throw Malformed() }
        defer { offset += size }
        return Integer(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Integer.self) })
    }

    /// How many of `count` items could fit in what is left, each taking at
    /// least `size` bytes: a capacity to reserve that a corrupt count (the
    /// parse runs before the checksum is known) can't make huge.
    func reservable(_ count: Int, atLeast size: Int) -> Int {
        min(count, (end - offset) / size)
    }

    /// A count, bounded by what is left to read (at least a byte per item).
    mutating func count() throws -> Int {
        let value = Int(try u32())
        guard value <= end - offset else { throw Malformed() }
        return value
    }

    mutating func string() throws -> String {
        let length = try count()
        defer { offset += length }
        return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
    }

    mutating func family() throws -> Family {
        switch try u8() {
        case 4: .ipv4
        case 6: .ipv6
        default: throw Malformed()
        }
    }

    mutating func table() throws -> Table {
        let index = Int(try u8())
        guard index < Table.allCases.count else { throw Malformed() }
        return Table.allCases[index]
    }

    mutating func chainSet() throws -> ChainSet {
        let partition = try string(), hash = try string()
        let location = SourceLocation(file: try string(), line: Int(try u32()), column: Int(try u32()))
        // Reserved, not grown: rules are large values, and growing copies them.
        let chainCount = try count()
        var chains: [Chain] = []
        chains.reserveCapacity(reservable(chainCount, atLeast: 10))
        for _ in 0..<chainCount {
            let family = try family(), table = try table(), name = try string()
            let ruleCount = try count()
            var rules: [Rule] = []
            rules.reserveCapacity(reservable(ruleCount, atLeast: 3))
            for _ in 0..<ruleCount {
                let rule = try rule()
                guard rule.family == family else { throw Malformed() }
                rules.append(rule)
            }
            chains.append(Chain(family: family, table: table, name: name, rules: rules))
        }
        let pointerCount = try count()
        var pointers: [Pointer] = []
        pointers.reserveCapacity(reservable(pointerCount, atLeast: 9))
        for _ in 0..<pointerCount {
            let family = try family(), table = try table(), chain = try string(), rule = try rule()
            guard rule.family == family else { throw Malformed() }
            pointers.append(Pointer(family: family, table: table, chain: chain, rule: rule))
        }
        var raw: [RawCommand] = []
        for _ in 0..<(try count()) {
            let table = try table(), line = try string()
            var arguments: [String] = []
            for _ in 0..<(try count()) { arguments.append(try string()) }
            raw.append(RawCommand(table: table, arguments: arguments, line: line))
        }
        return ChainSet(partition: partition, hash: hash, location: location, chains: chains, pointers: pointers, raw: raw)
    }

    mutating func address(_ family: Family) throws -> IPAddress {
        switch family {
        case .ipv4: return .v4(try u32())
        case .ipv6:
            guard offset + 16 <= end else { throw Malformed() }
            defer { offset += 16 }
            return .v6(bytes.withUnsafeBytes { IPv6Network.address(bytes: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + 16)])) })
        }
    }

    mutating func network(_ family: Family) throws -> IPNetwork {
        let address = try address(family), length = Int(try u8())
        switch address {
        case .v4(let value) where length <= 32: return .v4(IPv4Network(address: value, prefixLength: length))
        case .v6(let value) where length <= 128: return .v6(IPv6Network(address: value, prefixLength: length))
        default: throw Malformed()
        }
    }

    mutating func rule() throws -> Rule {
        let family = try family()
        let flags = try u16()
        guard flags < 1 << 12 else { throw Malformed() }
        func has(_ bit: Int) -> Bool { flags & (1 << bit) != 0 }
        var rule = Rule(family, target: .accept)
        rule.source = has(0) ? try network(family) : nil
        rule.destination = has(1) ? try network(family) : nil
        rule.inInterface = has(2) ? try string() : nil
        rule.ipProtocol = has(3) ? IPProtocol(number: try u8(), name: try string()) : nil
        rule.destinationPort = has(4) ? PortRange(try u16(), try u16()) : nil
        rule.outInterface = has(5) ? try string() : nil
        rule.sourcePort = has(6) ? PortRange(try u16(), try u16()) : nil
        if has(7) {
            let type = try u8(), low = try u8(), high = try u8()
            guard low <= high else { throw Malformed() }
            rule.icmpType = ICMPType(type: type, codes: low...high)
        }
        rule.hopLimit = has(8) ? try u8() : nil
        rule.states = has(9) ? ConnectionStates(rawValue: try u8()) : nil
        rule.limit = has(10) ? RateLimit(average: try u32(), burst: try u32()) : nil
        rule.comment = has(11) ? try string() : nil
        switch try u8() {
        case 0: rule.target = .accept
        case 1: rule.target = .drop
        case 2:
            let index = Int(try u8())
            guard index < RejectWith.allCases.count else { throw Malformed() }
            rule.target = .reject(RejectWith.allCases[index])
        case 3: rule.target = .log(LogOptions(prefix: try string(), level: try u8()))
        case 4: rule.target = .jump(try string())
        case 5:
            let address = try address(family), hasPort = try u8(), port = try u16()
            rule.target = .dnat(address: address, port: hasPort == 0 ? nil : port)
        case 6: rule.target = .snat(address: try address(family))
        case 7: rule.target = .masquerade
        default: throw Malformed()
        }
        return rule
    }
}
