import RiptDSL

/// Directions: which hooks (INPUT, FORWARD, OUTPUT) a rule applies in, and
/// the words that can't apply in some of them.
extension PartitionCompilation {
    /// A partition whose filter rules have no direction and which has no
    /// Rewrite keeps one filter chain (`NAME-aHASH`) for all three hooks;
    /// any other has one per hook (`NAME-iHASH`, `NAME-fHASH`, `NAME-oHASH`).
    static func isDirected(_ partition: Partition) -> Bool {
        partition.statements.contains { statement in
            switch statement {
            case .rewrite: true
            case .filter(let rule): rule.statements.contains { if case .direction = $0 { true } else { false } }
            default: false
            }
        }
    }

    /// The hooks a rule applies in: all three without a Direction, else
    /// where every Direction agrees. Nil when none is left (reported).
    mutating func hooks(of directions: [Direction]) -> Set<Hook>? {
        var hooks = Set(Hook.allCases)
        var narrowedBy: Direction?
        for direction in directions where !direction.traffic.isEmpty {
            let these = Set(direction.traffic.map(Hook.init))
            if let earlier = narrowedBy, these.isDisjoint(with: hooks) {
                error("\(spelled(direction)) and \(spelled(earlier)) have no direction in common, and a rule applies where all its Directions agree; write one Direction with the directions meant",
                      at: direction.location, notes: [.init("\(spelled(earlier)) is here", at: earlier.location)])
                return nil
            }
            hooks.formIntersection(these)
            narrowedBy = direction
        }
        return hooks
    }

    /// Interface can't match in OUTPUT, OutInterface in INPUT, Loopback in
    /// FORWARD; Loopback goes with no interface and no labels.
    mutating func checkDirections(_ body: Body, hooks: Set<Hook>, directed: Bool) {
        let directionNote = body.directions.last.map { [Diagnostic.Note("\(spelled($0)) is here", at: $0.location)] } ?? []
        if let location = body.outInterfaceLocation, directed, hooks.contains(.input) {
            error("OutInterface can't match traffic to the host (Direction .input), which leaves on no interface; remove .input from the Direction, or the OutInterface",
                  at: location, notes: directionNote)
        }
        if let location = body.interfaceLocation, directed, hooks.contains(.output) {
            error("Interface can't match traffic from the host (Direction .output), which arrives on no interface; remove .output from the Direction, or the Interface",
                  at: location, notes: directionNote)
        }
        guard let loopback = body.loopback else { return }
        if directed, hooks.contains(.forward) {
            error("forwarded traffic never uses loopback, so Loopback() can't go with Direction .forward; remove .forward from the Direction",
                  at: loopback, notes: directionNote)
        }
        let others = [(body.interfaceLocation, "Interface"), (body.outInterfaceLocation, "OutInterface"), (body.fromLocation, "From"), (body.toLocation, "To")]
        for case let (_?, word) in others {
            error("Loopback() matches the interface lo, to and from the host itself, so it can't go with \(word); write a rule of its own for the loopback",
                  at: loopback)
        }
    }

    /// Directions in a Rewrite: each one an error, at the group's location for a Group's `direction:`.
    mutating func refuseDirections(_ body: Body, in rewrite: Rewrite) {
        for direction in body.directions {
            let fromGroup = (direction.location.line, direction.location.column) < (rewrite.location.line, rewrite.location.column)
            if fromGroup {
                error("Rewrite(\"\(rewrite.description)\") can't be in a Group with direction: rewritten traffic is forwarded traffic, and a Rewrite takes no Direction; move it out of this Group",
                      at: direction.location, notes: [.init("the Rewrite is here", at: rewrite.location)])
            } else {
                error("rewritten traffic is forwarded traffic; a Rewrite takes no Direction: remove it (a Rewrite's accepts go to FORWARD)",
                      at: direction.location)
            }
        }
    }

    /// A Direction as written: `Direction(.input, .forward)`.
    func spelled(_ direction: Direction) -> String {
        "Direction(\(direction.traffic.map { ".\($0.rawValue)" }.joined(separator: ", ")))"
    }
}
