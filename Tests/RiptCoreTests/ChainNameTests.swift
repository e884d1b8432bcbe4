import RiptCore
import Testing

/// `NAME-[ads]HASH`, built by the compiler and parsed by the kernel side.
@Suite struct ChainNameTests {
    @Test("a built name parses back to its partition, kind and hash, in its kind's table only", arguments: ChainName.Kind.allCases)
    func roundTrip(_ kind: ChainName.Kind) {
        let name = ChainName(partition: "joeblogsco", kind: kind, hash: "d115b5")
        #expect(name.description == "joeblogsco-\(kind.rawValue)d115b5")
        #expect(ChainName(parsing: name.description, in: kind.table) == name)
        #expect(ChainName(parsing: name.description, in: kind.table == .filter ? .nat : .filter) == nil)
    }

    @Test("names that are not a partition's chain do not parse", arguments: [
        "DOCKER", "web-a1b2c3", "web-a1b2c3de", "-a1b2c3d", "w b-a1b2c3d", "web-a1B2c3d", "web-x1b2c3d",
        "name_is_21_characters-a1b2c3d", "KUBE-SVC-a1b2c3d", "wéb-a1b2c3d",
    ])
    func foreign(_ name: String) {
        #expect(ChainName(parsing: name, in: .filter) == nil)
    }
}
