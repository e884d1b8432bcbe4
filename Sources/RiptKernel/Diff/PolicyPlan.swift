import RiptCore
import RiptDSL

// The filter policies ript owns. A family's INPUT, FORWARD and OUTPUT
// policies are ript's while its marker chain (`Bootstrap.policyMarker`,
// `partition-p`) exists in that family's filter table: made in the commit
// that first sets them, removed in the one that puts back ACCEPT. Policies
// change in the same filter commit as the rules that go with them.

extension Planner {
    /// The policy operations of a filter table an apply loads: with
    /// `Policies` for the family, the marker made (if missing) and each
    /// policy that differs set; without, from a directory (a single file
    /// does not speak for the host settings), ACCEPT put back and the marker
    /// removed where it exists. Last in the table's plan.
    static func policies(_ kernel: KernelTable, context: Context) -> [Operation] {
        if let wanted = context.host?.policies[kernel.family] {
            var operations: [Operation] = kernel.chain(Bootstrap.policyMarker) == nil ? [.createChain(Bootstrap.policyMarker)] : []
            for hook in Hook.allCases {
                let policy = wanted[hook] ?? .accept
                if kernel.chain(hook.rawValue)?.policy != policy.rawValue {
                    operations.append(.setPolicy(chain: hook.rawValue, policy: policy))
                }
            }
            return operations
        }
        guard context.request.scope == .directory, let marker = kernel.chain(Bootstrap.policyMarker) else { return [] }
        return acceptPolicies(kernel) + [.deleteChain(marker.name, rules: marker.rules.count)]
    }

    /// ACCEPT for each of INPUT, FORWARD and OUTPUT whose policy is not ACCEPT.
    static func acceptPolicies(_ kernel: KernelTable) -> [Operation] {
        Hook.allCases.compactMap { hook in
            guard let chain = kernel.chain(hook.rawValue), chain.policy != Policy.accept.rawValue else { return nil }
            return .setPolicy(chain: hook.rawValue, policy: .accept)
        }
    }
}
