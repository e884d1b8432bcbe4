/// Renders chain sets as JSON, schema `ript.chainsets` version 2
/// (`schema/ript.schema.json`). Addresses are always CIDR; absent matches are absent keys;
/// every chain, hook and pointer names its family (`ipv4`, `ipv6`).
public enum JSONRenderer {
    public static let schema = "ript.chainsets"
    public static let version = 2

    public static func render(_ ruleset: CompiledRuleset) -> String {
        JSON.object([
            ("schema", .string(schema)),
            ("version", .number(version)),
            ("bootstrap", .object([
                ("chains", .array(ruleset.families.flatMap { family in
                    Bootstrap.chains.map {
                        .object([("family", .string(family.rawValue)), ("table", .string($0.table.rawValue)), ("name", .string($0.name))])
                    }
                })),
                ("hooks", .array(ruleset.families.flatMap(Bootstrap.hooks).map {
                    .object([
                        ("family", .string($0.family.rawValue)), ("table", .string($0.table.rawValue)), ("chain", .string($0.builtIn)),
                        ("position", .number(1)), ("jump", .string($0.chain)),
                    ])
                })),
            ])),
            ("partitions", .array(ruleset.partitions.map(partition))),
        ]).text
    }

    static func partition(_ chainSet: ChainSet) -> JSON {
        var members: [(String, JSON)] = [
            ("name", .string(chainSet.partition)),
            ("hash", .string(chainSet.hash)),
            ("file", .string(chainSet.location.file)),
            ("line", .number(chainSet.location.line)),
            ("chains", .array(chainSet.chains.map { chain in
                .object([
                    ("family", .string(chain.family.rawValue)), ("table", .string(chain.table.rawValue)), ("name", .string(chain.name)),
                    ("rules", .array(chain.rules.map(rule))),
                ])
            })),
            ("pointers", .array(chainSet.pointers.map { pointer in
                .object([
                    ("family", .string(pointer.family.rawValue)), ("table", .string(pointer.table.rawValue)), ("chain", .string(pointer.chain)),
                    ("rule", rule(pointer.rule)),
                ])
            })),
            ("raw", .array(chainSet.raw.map { command in
                .object([("table", .string(command.table.rawValue)), ("arguments", .array(command.arguments.map(JSON.string)))])
            })),
        ]
        // The one partition with host settings: the policies it sets and the
        // host rules at the head of the filter hook chains.
        if let host = chainSet.host {
            members.append(("policies", .array(host.policies.sorted { $0.key < $1.key }.flatMap { family, policies in
                policies.sorted { $0.key < $1.key }.map { hook, policy in
                    .object([("family", .string(family.rawValue)), ("chain", .string(hook.rawValue)), ("policy", .string(policy.rawValue))])
                }
            })))
            members.append(("hostRules", .array(host.rules.map { pointer in
                .object([
                    ("family", .string(pointer.family.rawValue)), ("table", .string(pointer.table.rawValue)), ("chain", .string(pointer.chain)),
                    ("rule", rule(pointer.rule)),
                ])
            })))
        }
        return .object(members)
    }

    public static func rule(_ rule: Rule) -> JSON {
        var members: [(String, JSON)] = []
        if let source = rule.source { members.append(("source", .string(source.cidr))) }
        if let destination = rule.destination { members.append(("destination", .string(destination.cidr))) }
        if let interface = rule.inInterface { members.append(("inInterface", .string(interface))) }
        if let interface = rule.outInterface { members.append(("outInterface", .string(interface))) }
        if let ipProtocol = rule.ipProtocol {
            members.append(("protocol", .object([("name", .string(ipProtocol.name)), ("number", .number(Int(ipProtocol.number)))])))
        }
        if let ports = rule.sourcePort {
            members.append(("sourcePort", .object([("first", .number(Int(ports.first))), ("last", .number(Int(ports.last)))])))
        }
        if let ports = rule.destinationPort {
            members.append(("destinationPort", .object([("first", .number(Int(ports.first))), ("last", .number(Int(ports.last)))])))
        }
        if let icmp = rule.icmpType {
            var type: [(String, JSON)] = [("type", .number(Int(icmp.type)))]
            if icmp.codes.lowerBound == icmp.codes.upperBound { type.append(("code", .number(Int(icmp.codes.lowerBound)))) }
            members.append(("icmpType", .object(type)))
        }
        if let hopLimit = rule.hopLimit { members.append(("hopLimit", .number(Int(hopLimit)))) }
        if let states = rule.states { members.append(("states", .array(states.description.split(separator: ",").map { .string(String($0)) }))) }
        if let limit = rule.limit { members.append(("limit", .object([("rate", .string(limit.rate)), ("burst", .number(Int(limit.burst)))]))) }
        if let comment = rule.comment { members.append(("comment", .string(comment))) }
        switch rule.target {
        case .accept: members.append(("target", .string("accept")))
        case .drop: members.append(("target", .string("drop")))
        case .reject(let reply): members += [("target", .string("reject")), ("rejectWith", .string(reply.name(in: rule.family)))]
        case .log(let options):
            members.append(("target", .string("log")))
            if !options.prefix.isEmpty { members.append(("logPrefix", .string(options.prefix))) }
            members.append(("logLevel", .number(Int(options.level))))
        case .masquerade: members.append(("target", .string("masquerade")))
        case .jump(let chain): members += [("target", .string("jump")), ("chain", .string(chain))]
        case .dnat(let address, let port):
            members += [("target", .string("dnat")), ("toAddress", .string(address.description))]
            if let port { members.append(("toPort", .number(Int(port)))) }
        case .snat(let address): members += [("target", .string("snat")), ("toAddress", .string(address.description))]
        }
        return .object(members)
    }
}
