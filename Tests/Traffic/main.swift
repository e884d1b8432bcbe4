// ript-traffic: a numbered UDP stream for the zero-downtime tests.
//
//   ript-traffic send HOST PORT RATE FIRST STOPFILE MAXSECONDS LOG
//   ript-traffic receive PORT STOPFILE MAXSECONDS OUT
//
// `send` sends to HOST (IPv4 or IPv6) datagrams holding an 8-byte sequence
// number, counting from FIRST, at RATE per
// second, each from a new socket on the next source port of 20000–59999, so
// that every datagram is a new conntrack entry and goes through the nat table
// as well as filter. It writes one line per datagram to LOG: the sequence
// number and when it was sent (CLOCK_REALTIME, ns). `receive` writes each
// sequence number it gets to OUT. Both stop by themselves: when STOPFILE
// exists, or after MAXSECONDS. `receive` takes both families on one socket.
#if canImport(Glibc)
import Glibc
#endif

func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

func complain(_ message: String) {
    let bytes = Array(message.utf8)
    _ = Glibc.write(2, bytes, bytes.count)
}

func fail(_ message: String) -> Never {
    complain("ript-traffic: \(message): \(String(cString: strerror(errno)))\n")
    exit(1)
}

func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// A socket address for IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1").
struct Address {
    var storage = sockaddr_storage()
    let family: Int32
    let length: socklen_t

    init(_ host: String, _ port: UInt16) {
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { fail("bad address \(host)") }
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: withUnsafeBytes(of: address) { $0 }) }
            (family, length) = (AF_INET6, socklen_t(MemoryLayout<sockaddr_in6>.size))
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { fail("bad address \(host)") }
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: withUnsafeBytes(of: address) { $0 }) }
            (family, length) = (AF_INET, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }

    func withPointer<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}

func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
    var value = value
    setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
}

func write(_ lines: [String], to path: String) {
    guard let file = fopen(path, "w") else { fail("cannot write \(path)") }
    for line in lines { fputs(line, file); fputc(10, file) }
    fclose(file)
}

func send(host: String, port: UInt16, rate: Int, first: UInt64, stop: String, maxSeconds: Int64, log: String) {
    let destination = Address(host, port)
    let start = now()
    let interval = 1_000_000_000 / Int64(rate)
    var next = start
    var lines: [String] = []
    var sequence = first
    while now() - start < maxSeconds * 1_000_000_000 {
        if sequence % 64 == 0, exists(stop) { break }
        let late = now() - next
        if late < 0 {
            var pause = timespec(tv_sec: 0, tv_nsec: Int(-late))
            nanosleep(&pause, nil)
        } else if late > 50_000_000 {
            next = now()  // Fell behind (the machine was busy): keep the pace, don't burst.
        }
        next += interval
        let descriptor = socket(destination.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { fail("socket") }
        setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
        if destination.family == AF_INET6 { setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        let source = Address(destination.family == AF_INET6 ? "::" : "0.0.0.0", UInt16(20000 + sequence % 40000))
        _ = source.withPointer { bind(descriptor, $0, $1) }
        var payload = sequence.bigEndian
        let sentAt = now()
        let sent = destination.withPointer { sendto(descriptor, &payload, 8, 0, $0, $1) }
        close(descriptor)
        // A refused send (say, an ICMP error queued on the socket) is a lost datagram too.
        if sent == 8 { lines.append("\(sequence) \(sentAt)") }
        sequence += 1
    }
    write(lines, to: log)
    print("sent \(lines.count) of \(sequence - first) in \((now() - start) / 1_000_000) ms")
}

func receive(port: UInt16, stop: String, maxSeconds: Int64, out: String) {
    // One socket for both families (IPv4 arrives as v4-mapped addresses).
    let descriptor = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { fail("socket") }
    setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
    // Room for seconds of traffic, so a busy machine can't make the socket drop.
    setOption(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    guard Address("::", port).withPointer({ bind(descriptor, $0, $1) }) == 0 else { fail("bind") }
    let start = now()
    var received: [String] = []
    var payload: UInt64 = 0
    while now() - start < maxSeconds * 1_000_000_000 {
        let count = recv(descriptor, &payload, 8, 0)
        if count == 8 {
            received.append(String(UInt64(bigEndian: payload)))
        } else if exists(stop) {
            break
        }
    }
    write(received, to: out)
    print("received \(received.count)")
}

let arguments = CommandLine.arguments
switch (arguments.count > 1 ? arguments[1] : "", arguments.count) {
case ("send", 9):
    send(host: arguments[2], port: UInt16(arguments[3])!, rate: Int(arguments[4])!, first: UInt64(arguments[5])!,
         stop: arguments[6], maxSeconds: Int64(arguments[7])!, log: arguments[8])
case ("receive", 6):
    receive(port: UInt16(arguments[2])!, stop: arguments[3], maxSeconds: Int64(arguments[4])!, out: arguments[5])
default:
    complain("usage: ript-traffic send HOST PORT RATE FIRST STOPFILE MAXSECONDS LOG | receive PORT STOPFILE MAXSECONDS OUT\n")
    exit(2)
}
