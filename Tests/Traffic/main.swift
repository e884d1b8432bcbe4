// ript-traffic: a numbered UDP stream for the zero-downtime tests.
//
//   ript-traffic send HOST PORT RATE STOPFILE MAXSECONDS LOG
//   ript-traffic receive PORT STOPFILE MAXSECONDS OUT
//
// `send` sends datagrams holding an 8-byte sequence number at RATE per
// second, each from a new socket on the next source port of 20000–59999, so
// that every datagram is a new conntrack entry and goes through the nat table
// as well as filter. It writes one line per datagram to LOG: the sequence
// number and when it was sent (CLOCK_REALTIME, ns). `receive` writes each
// sequence number it gets to OUT. Both stop by themselves: when STOPFILE
// exists, or after MAXSECONDS.
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

func address(_ host: String, _ port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { fail("bad address \(host)") }
    return address
}

func write(_ lines: [String], to path: String) {
    guard let file = fopen(path, "w") else { fail("cannot write \(path)") }
    for line in lines { fputs(line, file); fputc(10, file) }
    fclose(file)
}

func send(host: String, port: UInt16, rate: Int, stop: String, maxSeconds: Int64, log: String) {
    var destination = address(host, port)
    let start = now()
    let interval = 1_000_000_000 / Int64(rate)
    var next = start
    var log: (path: String, lines: [String]) = (log, [])
    var sequence: UInt64 = 0
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
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { fail("socket") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var source = address("0.0.0.0", UInt16(20000 + sequence % 40000))
        _ = withUnsafePointer(to: &source) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var payload = sequence.bigEndian
        let sentAt = now()
        let sent = withUnsafePointer(to: &destination) { target in
            target.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, &payload, 8, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(descriptor)
        // A refused send (say, an ICMP error queued on the socket) is a lost datagram too.
        if sent == 8 { log.lines.append("\(sequence) \(sentAt)") }
        sequence += 1
    }
    write(log.lines, to: log.path)
    print("sent \(log.lines.count) of \(sequence) in \((now() - start) / 1_000_000) ms")
}

func receive(port: UInt16, stop: String, maxSeconds: Int64, out: String) {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { fail("socket") }
    // Room for seconds of traffic, so a busy machine can't make the socket drop.
    var size: Int32 = 32 << 20
    setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
    var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var local = address("0.0.0.0", port)
    let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { fail("bind") }
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
case ("send", 8):
    send(host: arguments[2], port: UInt16(arguments[3])!, rate: Int(arguments[4])!, stop: arguments[5], maxSeconds: Int64(arguments[6])!, log: arguments[7])
case ("receive", 6):
    receive(port: UInt16(arguments[2])!, stop: arguments[3], maxSeconds: Int64(arguments[4])!, out: arguments[5])
default:
    complain("usage: ript-traffic send HOST PORT RATE STOPFILE MAXSECONDS LOG | receive PORT STOPFILE MAXSECONDS OUT\n")
    exit(2)
}
