#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `text` to a file descriptor, in as few system calls as it takes.
private func writeAll(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

func writeStandardOutput(_ text: String) { writeAll(text, to: STDOUT_FILENO) }
func writeStandardError(_ text: String) { writeAll(text, to: STDERR_FILENO) }
