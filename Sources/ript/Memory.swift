#if canImport(Glibc)
import CMalloc
import Glibc
#endif
import RiptCore
import RiptSupport

// How ript asks glibc's malloc for memory. A dual-stack change of the
// 50,000-rule set touches about 100 MB (the rules, libiptc's copies of four
// tables, what it commits, the read-backs): in 4 KB pages, 24,000 page
// faults, a quarter of the process's CPU time.

/// The environment variable that tells the process ript started again
/// that it was, with the process's name and what GLIBC_TUNABLES was
/// before: "NAME/=VALUE", or "NAME/-" when it was unset.
private let restartedMarker = "RIPT_RESTARTED_FOR_HUGE_PAGES"

/// Starts ript again with glibc's malloc asking the kernel for transparent
/// huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1: madvise(MADV_HUGEPAGE)
/// on its heaps and large blocks), when the kernel offers them
/// (/sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise").
/// glibc reads its tunables only when a process starts, so the only way is
/// to exec /proc/self/exe once more, first thing, before any work or any
/// signal handler. The started process takes back its name (the kernel
/// names it "exe": `ps` and `pgrep ript` would not find it) and puts
/// GLIBC_TUNABLES back as it was, so the programs ript runs
/// (iptables-legacy-restore) get the caller's environment.
///
/// Measured (`RULES=50000 RUNS=11 DUAL=1 bench/kernel.sh`): page faults
/// 24,000 -> 2,600, and a one-partition change 195 -> 160 ms, the second
/// start included. It takes both settings: with heaps grown in small steps
/// (see `growHeapsInLargeSteps`) few huge pages fit, and it was 20,000
/// faults. GLIBC_TUNABLES=glibc.malloc.hugetlb=0 (or any value of it)
/// leaves malloc as it is, and ript starts once. If the exec fails (no
/// /proc, say), ript goes on as it is.
func useHugePagesForMalloc() {
    #if canImport(Glibc)
    if let saved = getenv(restartedMarker).map({ String(cString: $0) }), let slash = saved.firstIndex(of: "/") {
        // The second start: the name and the caller's environment back.
        writeProcessName(String(saved[..<slash]))
        let tunables = saved[saved.index(after: slash)...]
        if tunables.hasPrefix("=") { setenv("GLIBC_TUNABLES", String(tunables.dropFirst()), 1) } else { unsetenv("GLIBC_TUNABLES") }
        unsetenv(restartedMarker)
        return
    }
    let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
    guard !(tunables ?? "").contains("glibc.malloc.hugetlb"), kernelOffersHugePages() else { return }
    guard let name = readProcessName() else { return }
    setenv(restartedMarker, name + "/" + (tunables.map { "=" + $0 } ?? "-"), 1)
    setenv("GLIBC_TUNABLES", (tunables.map { $0 + ":" } ?? "") + "glibc.malloc.hugetlb=1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Still here: the exec failed. Go on as started.
    if let tunables { setenv("GLIBC_TUNABLES", tunables, 1) } else { unsetenv("GLIBC_TUNABLES") }
    unsetenv(restartedMarker)
    #endif
}

/// The process's name (`ps`'s, `pgrep`'s), from /proc/self/comm.
private func readProcessName() -> String? {
    (try? readSmallFile("/proc/self/comm")).map { String($0.prefix { $0 != "\n" }) }.flatMap { $0.isEmpty || $0.contains("/") ? nil : $0 }
}

private func writeProcessName(_ name: String) {
    #if canImport(Glibc)
    let descriptor = open("/proc/self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    _ = Array(name.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    #endif
}

/// Whether the kernel gives transparent huge pages to memory that asks for
/// them: "[always]" or "[madvise]", not "[never]" (or no such file).
private func kernelOffersHugePages() -> Bool {
    guard let setting = try? readSmallFile("/sys/kernel/mm/transparent_hugepage/enabled") else { return false }
    return setting.contains("[always]") || setting.contains("[madvise]")
}

/// glibc grows each thread's heap by little more than each allocation
/// needs, one mprotect at a time, and every one takes the process's memory
/// map lock that the other threads' page faults need too. A dual-stack
/// change of the 50,000-rule set made 8,742 of them (`strace -f -c`); with
/// the heaps grown 64 MB at a time (address space, not memory: resident
/// size stayed at about 100 MB), 31, and the change took 227 ms instead of
/// 259 (medians of 7, alternating). Setting the pad also fixes glibc's
/// mmap threshold at 128 KB (large blocks are always mapped afresh); the
/// same runs made 70 mmap and 5 munmap calls against 78 and 12, and 23,530
/// page faults against 24,281. A top pad set in the environment
/// (MALLOC_TOP_PAD_, or glibc.malloc.top_pad in GLIBC_TUNABLES) still decides.
func growHeapsInLargeSteps() {
    #if canImport(Glibc)
    let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
    if getenv("MALLOC_TOP_PAD_") == nil && !tunables.contains("top_pad") { _ = mallopt(M_TOP_PAD, 64 << 20) }
    #endif
}
