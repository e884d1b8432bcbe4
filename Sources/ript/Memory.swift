#if canImport(Glibc)
import CMalloc
import Glibc
#endif

// How ript asks glibc's malloc for memory. A dual-stack change of the
// 50,000-rule set touches about 100 MB (the rules, libiptc's copies of four
// tables, what it commits, the read-backs): in 4 KB pages, 24,000 page
// faults, a quarter of the process's CPU time. Transparent huge pages cut
// that to 2,600, but glibc reads that setting (glibc.malloc.hugetlb=1) only
// from GLIBC_TUNABLES when a process starts: it belongs to whoever starts
// ript, and dist/ript.service sets it (see ENVIRONMENT in ript(1)).

/// glibc grows each thread's heap by little more than each allocation
/// needs, one mprotect at a time, and every one takes the process's memory
/// map lock that the other threads' page faults need too. A dual-stack
/// change of the 50,000-rule set made 8,742 of them (`strace -f -c`); with
/// the heaps grown 64 MB at a time (address space, not memory: resident
/// size stayed at about 100 MB), 31, and the change took 227 ms instead of
/// 259 (medians of 7, alternating). Setting the pad also fixes glibc's
/// mmap threshold at 128 KB (large blocks are always mapped afresh); the
/// same runs made 70 mmap and 5 munmap calls against 78 and 12, and 23,530
/// page faults against 24,281. With huge pages it matters more: heaps grown
/// in small steps fit few of them (20,000 page faults instead of 2,600).
/// A top pad set in the environment (MALLOC_TOP_PAD_, or glibc.malloc.top_pad
/// in GLIBC_TUNABLES) still decides.
func growHeapsInLargeSteps() {
    #if canImport(Glibc)
    let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
    if getenv("MALLOC_TOP_PAD_") == nil && !tunables.contains("top_pad") { _ = mallopt(M_TOP_PAD, 64 << 20) }
    #endif
}
