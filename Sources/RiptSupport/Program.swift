#if canImport(Glibc)
import Glibc
#endif

/// What a finished program printed (standard output and error together) and its exit status.
public struct ProgramResult: Sendable {
    public let status: Int32
    public let output: String
}

/// Runs a program found on PATH with arguments (no shell), feeding `input`
/// on standard input; waits for it.
public func runProgram(_ arguments: [String], input: String = "") -> ProgramResult {
    var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
    guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
        return ProgramResult(status: -1, output: "cannot make a pipe: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
    for descriptor in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, descriptor) }

    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
    close(toChild[0])
    close(fromChild[1])
    guard spawned == 0 else {
        close(toChild[1])
        close(fromChild[0])
        return ProgramResult(status: -1, output: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    // Write input from another thread so a chatty child can't block us both.
    let (descriptor, bytes) = (toChild[1], Array(input.utf8))
    let written = Later(inBackground: {
        writeAll(bytes, to: descriptor)
        close(descriptor)
        return true
    })
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fromChild[0], $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        output += buffer[..<count]
    }
    close(fromChild[0])
    _ = written.value
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return ProgramResult(status: exit, output: String(decoding: output, as: UTF8.self))
}

/// Writes all of BYTES to DESCRIPTOR, or as much as it takes before an error.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 { if errno == EINTR { continue } else { break } }
            offset += written
        }
    }
}
