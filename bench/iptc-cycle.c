/* The floor for changing one table through libiptc: N times, iptc_init the
 * table, make a trivial change (create or delete one chain, alternately, so
 * the commit is real), iptc_commit. Prints the median milliseconds.
 * Built with -DIPV6 (and -lip6tc) it does the same to an ip6tables table.
 * Built and run by bench/kernel.sh, only inside its own network namespace. */
#include <errno.h>
#ifdef IPV6
#include <libiptc/libip6tc.h>
#define iptc_init ip6tc_init
#define iptc_is_chain ip6tc_is_chain
#define iptc_delete_chain ip6tc_delete_chain
#define iptc_create_chain ip6tc_create_chain
#define iptc_commit ip6tc_commit
#define iptc_free ip6tc_free
#define iptc_strerror ip6tc_strerror
#else
#include <libiptc/libiptc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: iptc-cycle TABLE RUNS\n"); return 2; }
    int runs = atoi(argv[2]);
    double *times = calloc(runs, sizeof *times);
    char chain[32] = "ript-bench-cycle";
    for (int i = 0; i < runs; i++) {
        double start = now();
        struct xtc_handle *h = iptc_init(argv[1]);
        if (!h) { fprintf(stderr, "iptc_init: %s\n", iptc_strerror(errno)); return 1; }
        int ok = iptc_is_chain(chain, h) ? iptc_delete_chain(chain, h) : iptc_create_chain(chain, h);
        if (!ok || !iptc_commit(h)) { fprintf(stderr, "iptc: %s\n", iptc_strerror(errno)); return 1; }
        iptc_free(h);
        times[i] = now() - start;
    }
    qsort(times, runs, sizeof *times, compare);
    printf("%.1f\n", times[runs / 2]);
    return 0;
}
