import Foundation
import Testing

/// dist/ript.service, the systemd unit the .deb installs, as key/value lines.
public struct SystemdUnit {
    public let text: String
    /// Each `Key=value` line, in order, with its section.
    public let entries: [(section: String, key: String, value: String)]

    public init(_ path: String = "dist/ript.service") throws {
        text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        var section = ""
        var entries: [(String, String, String)] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            entries.append((section, String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        self.entries = entries
    }

    /// Every value of KEY in SECTION (a key may be given more than once).
    public func values(_ section: String, _ key: String) -> [String] {
        entries.filter { $0.section == section && $0.key == key }.map(\.value)
    }

    /// The words of SECTION's KEY (space-separated lists, all its lines).
    public func words(_ section: String, _ key: String) -> [String] {
        values(section, key).flatMap { $0.split(separator: " ").map(String.init) }
    }

    /// The one command line of an Exec key, as the shell words systemd runs,
    /// with `/usr/sbin/ript` as `$RIPT` and `/etc/ript` as `$WORK/rules`.
    /// Requires plain words (no prefix, quoting, variables, specifiers or
    /// characters special to the shell), so splitting the line at spaces is
    /// exactly what systemd does and the words need no quoting.
    public func command(_ key: String) throws -> String {
        let lines = values("Service", key)
        try #require(lines.count == 1, "\(key)= should be given once, not \(lines.count) times")
        let line = lines[0]
        try #require(!line.contains { "$%\"'\\;*?[]{}()<>&|`~#".contains($0) } && !"-@:+!".contains(line.first ?? " "),
                     "\(key)=\(line) is no longer plain words; teach this test systemd's quoting before relying on it")
        return line.split(separator: " ").map { word in
            switch word {
            case "/usr/sbin/ript": "\"$RIPT\""
            case "/etc/ript": "\"$WORK/rules\""
            default: String(word)
            }
        }.joined(separator: " ")
    }

    /// `setpriv` arguments giving a command only the unit's
    /// CapabilityBoundingSet (root's capabilities are its bounding set), and
    /// no new privileges when the unit says NoNewPrivileges=yes.
    public func sandbox() throws -> String {
        let capabilities = words("Service", "CapabilityBoundingSet")
        try #require(!capabilities.isEmpty, "the unit should limit its capabilities")
        let bounding = (["-all"] + capabilities.map { "+" + $0.dropFirst("CAP_".count).lowercased() }).joined(separator: ",")
        let noNewPrivileges = values("Service", "NoNewPrivileges") == ["yes"] ? " --no-new-privs" : ""
        return "setpriv\(noNewPrivileges) --inh-caps=-all --bounding-set=\(bounding) --"
    }
}
