#if canImport(Glibc)
import Glibc
#endif

/// The environment variable NAME's value, or nil when it is unset or empty
/// (an empty setting means the default, as `VAR= ript …` intends).
package func environmentValue(_ name: String) -> String? {
    guard let value = getenv(name), value.pointee != 0 else { return nil }
    return String(cString: value)
}
