import RiptCore
import RiptKernel
import Testing

/// What ript may touch: its hook chains and `NAME-[ads]HASH` in the right table.
@Suite struct OwnershipTests {
    @Test("partition chains are recognised by name, kind, hash and table", arguments: [
        ("web-a1b2c3d", Table.filter, "web"), ("name_exactly_20_char-d0123ab", .nat, "name_exactly_20_char"),
        ("a.b-s000000", .nat, "a.b"),
    ])
    func owned(_ chain: String, _ table: Table, _ partition: String) {
        #expect(Ownership.partitionChain(chain, in: table)?.partition == partition)
        #expect(Ownership.owns(chain, in: table))
    }

    @Test("other chains are never ript's", arguments: [
        ("DOCKER", Table.filter), ("web-a1b2c3d", .nat), ("web-d1b2c3d", .filter), ("web-a1B2c3d", .filter),
        ("web-a1b2c3", .filter), ("web-a1b2c3de", .filter), ("-a1b2c3d", .filter), ("w b-a1b2c3d", .filter),
        ("name_is_21_characters-a1b2c3d", .filter), ("web-x1b2c3d", .filter), ("KUBE-SVC-a1b2c3d", .filter),
        ("INPUT", .filter),
    ])
    func foreign(_ chain: String, _ table: Table) {
        #expect(Ownership.partitionChain(chain, in: table) == nil)
        #expect(!Ownership.owns(chain, in: table))
    }

    @Test("the hook chains are ript's in their own tables only")
    func hooks() {
        #expect(Ownership.owns("partition-a", in: .filter))
        #expect(Ownership.owns("partition-d", in: .nat) && Ownership.owns("partition-s", in: .nat))
        #expect(!Ownership.owns("partition-a", in: .nat))
    }
}
