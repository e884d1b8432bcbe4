import RiptCore
import RiptSupport

/// Renders a plan as the iptables and ip6tables commands that would make its
/// changes, in generate's syntax, table by table in commit order. Nothing
/// for an empty plan.
public enum PlanRenderer {
    public static func commands(_ plan: Plan) -> String {
        var out = ""
        for chainSet in plan.raw {
            out += "# \(chainSet.id): raw lines, applied once\n"
            out += chainSet.raw.map(CommandRenderer.rawCommand).joined()
        }
        // Lines are rendered on every core: a first load prints tens of
        // thousands of them, and rendering was a fifth of its time.
        let operations = plan.tables.flatMap { tablePlan in tablePlan.operations.map { ($0, tablePlan.key) } }
        out += operations.concurrentMap { command($0, in: $1) }.joined()
        return out
    }

    static func command(_ operation: Operation, in key: FamilyTable) -> String {
        func command(_ table: Table, _ words: [String]) -> String { CommandRenderer.command(key.family, table, words) }
        let table = key.table
        switch operation {
        case .createChain(let chain):
            return command(table, ["--new-chain", chain])
        case .append(let chain, let rule):
            return command(table, ["--append", chain] + rule.arguments(.long))
        case .insert(let chain, let position, let rule):
            return command(table, ["--insert", chain, String(position + 1)] + rule.arguments(.long))
        case .delete(let chain, let position, let kernelRule):
            // By rule when ript can spell it, by number when it can't.
            if let rule = kernelRule.rule {
                return command(table, ["--delete", chain] + rule.arguments(.long))
            }
            return command(table, ["--delete", chain, String(position + 1)])
        case .deleteChain(let chain, let rules):
            return (rules > 0 ? command(table, ["--flush", chain]) : "")
                + command(table, ["--delete-chain", chain])
        case .setPolicy(let chain, let policy):
            return command(table, ["--policy", chain, policy.rawValue])
        }
    }

    /// One family's part of the plan as iptables-restore (ip6tables-restore)
    /// input, for `--noflush`: one block per table, its chain creations and
    /// policies (`:INPUT DROP [0:0]`) first, then its operations in order, then the raw lines of new
    /// partitions for that table (raw lines are IPv4's), so each table's
    /// changes and raw lines commit as one transaction. Tables holding only
    /// raw lines come first, filter and nat after, in the plan's order.
    public static func restoreInput(_ plan: Plan, family: Family) -> String {
        var out = ""
        let tables = plan.tables.filter { $0.family == family }
        let allRaw = family == .ipv4 ? plan.raw.flatMap(\.raw) : []
        let rawOnly = [Table.mangle, .raw, .security].filter { table in allRaw.contains { $0.table == table } }
        for table in rawOnly + tables.map(\.table) {
            let operations = tables.first { $0.table == table }?.operations ?? []
            let raw = allRaw.filter { $0.table == table }
            guard !operations.isEmpty || !raw.isEmpty else { continue }
            var lines: [String] = []
            for operation in operations {
                if case .createChain(let chain) = operation { lines.append(":\(chain) - [0:0]") }
                if case .setPolicy(let chain, let policy) = operation { lines.append(":\(chain) \(policy.rawValue) [0:0]") }
            }
            for operation in operations {
                switch operation {
                case .createChain, .setPolicy: continue
                case .append(let chain, let rule): lines.append("-A \(chain) " + rule.arguments(.short).joined(separator: " "))
                case .insert(let chain, let position, let rule):
                    lines.append("-I \(chain) \(position + 1) " + rule.arguments(.short).joined(separator: " "))
                case .delete(let chain, let position, _): lines.append("-D \(chain) \(position + 1)")
                case .deleteChain(let chain, let rules):
                    lines += Array(repeating: "-D \(chain) 1", count: rules) + ["-X \(chain)"]
                }
            }
            lines += raw.map { $0.restoreArguments.joined(separator: " ") }
            out += "*\(table.rawValue)\n" + lines.map { $0 + "\n" }.joined() + "COMMIT\n"
        }
        return out
    }

    /// The plan as JSON, schema `ript.plan` version 2 (schema/ript.schema.json).
    /// `applied`: the plan was carried out (apply, clean apply), rather than
    /// printed (diff).
    public static func json(_ plan: Plan, summary: PlanSummary, applied: Bool) -> String {
        JSON.object([
            ("schema", .string("ript.plan")),
            ("version", .number(2)),
            ("inSync", .bool(plan.isEmpty)),
            ("applied", .bool(applied)),
            ("summary", .object([
                ("partitionsChanged", .array(summary.partitionsChanged.map(JSON.string))),
                ("staleChainsRemoved", .number(summary.staleChainsRemoved)),
                ("bootstrapChanges", .number(summary.bootstrapChanges)),
            ])),
            ("findings", .array(plan.findings.map(JSON.string))),
            ("raw", .array(plan.raw.map { chainSet in
                .object([
                    ("partition", .string(chainSet.partition)), ("hash", .string(chainSet.hash)),
                    ("commands", .array(chainSet.raw.map { .object([("table", .string($0.table.rawValue)), ("arguments", .array($0.arguments.map(JSON.string)))]) })),
                ])
            })),
            ("tables", .array(plan.tables.map { tablePlan in
                .object([
                    ("family", .string(tablePlan.family.rawValue)), ("table", .string(tablePlan.table.rawValue)),
                    ("operations", .array(tablePlan.operations.map(operation))),
                ])
            })),
        ]).text
    }

    static func operation(_ operation: Operation) -> JSON {
        switch operation {
        case .createChain(let chain):
            .object([("op", .string("createChain")), ("chain", .string(chain))])
        case .append(let chain, let rule):
            .object([("op", .string("append")), ("chain", .string(chain)), ("rule", JSONRenderer.rule(rule))])
        case .insert(let chain, let position, let rule):
            .object([("op", .string("insert")), ("chain", .string(chain)), ("position", .number(position + 1)), ("rule", JSONRenderer.rule(rule))])
        case .delete(let chain, let position, let kernelRule):
            .object([("op", .string("delete")), ("chain", .string(chain)), ("position", .number(position + 1))]
                + (kernelRule.rule.map { [("rule", JSONRenderer.rule($0))] } ?? []))
        case .deleteChain(let chain, let rules):
            .object([("op", .string("deleteChain")), ("chain", .string(chain)), ("rules", .number(rules))])
        case .setPolicy(let chain, let policy):
            .object([("op", .string("setPolicy")), ("chain", .string(chain)), ("policy", .string(policy.rawValue))])
        }
    }
}
