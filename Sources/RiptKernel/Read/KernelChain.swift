import RiptCore

/// A chain as read from the kernel.
public struct KernelChain: Sendable {
    public let name: String
    public let isBuiltIn: Bool
    public let policy: String?
    public let rules: KernelRules

    public init(name: String, isBuiltIn: Bool, policy: String?, rules: KernelRules) {
        self.name = name
        self.isBuiltIn = isBuiltIn
        self.policy = policy
        self.rules = rules
    }
}
