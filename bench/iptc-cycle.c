/* The floor for changing one table through libiptc: N times, iptc_init the
 * table, make a trivial change (create or delete one chain, alternately, so
 * the commit is real), iptc_commit. Prints the median milliseconds.
 * With a third argument, `verify`, each cycle then also reads the table
 * back as the kernel holds it (IPT_SO_GET_INFO, then IPT_SO_GET_ENTRIES into
 * a buffer, nothing decoded): the least a tool that verifies its commit by
 * reading it back, as ript does after every commit, can pay.
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
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
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

#ifdef IPV6
#define FAMILY AF_INET6
#define LEVEL IPPROTO_IPV6
#define GET_INFO IP6T_SO_GET_INFO
#define GET_ENTRIES IP6T_SO_GET_ENTRIES
#define getinfo ip6t_getinfo
#define get_entries ip6t_get_entries
#else
#define FAMILY AF_INET
#define LEVEL IPPROTO_IP
#define GET_INFO IPT_SO_GET_INFO
#define GET_ENTRIES IPT_SO_GET_ENTRIES
#define getinfo ipt_getinfo
#define get_entries ipt_get_entries
#endif

/* The table's blob, read and thrown away. */
static int read_back(const char *table) {
    int fd = socket(FAMILY, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) return 0;
    struct getinfo info = {0};
    strncpy(info.name, table, sizeof info.name - 1);
    socklen_t length = sizeof info;
    int ok = getsockopt(fd, LEVEL, GET_INFO, &info, &length) == 0;
    if (ok) {
        length = sizeof(struct get_entries) + info.size;
        struct get_entries *entries = calloc(1, length);
        strncpy(entries->name, table, sizeof entries->name - 1);
        entries->size = info.size;
        ok = getsockopt(fd, LEVEL, GET_ENTRIES, entries, &length) == 0;
        free(entries);
    }
    close(fd);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "verify") == 0)) { fprintf(stderr, "usage: iptc-cycle TABLE RUNS [verify]\n"); return 2; }
    int runs = atoi(argv[2]);
    int verify = argc == 4;
    double *times = calloc(runs, sizeof *times);
    char chain[32] = "ript-bench-cycle";
    for (int i = 0; i < runs; i++) {
        double start = now();
        struct xtc_handle *h = iptc_init(argv[1]);
        if (!h) { fprintf(stderr, "iptc_init: %s\n", iptc_strerror(errno)); return 1; }
        int ok = iptc_is_chain(chain, h) ? iptc_delete_chain(chain, h) : iptc_create_chain(chain, h);
        if (!ok || !iptc_commit(h)) { fprintf(stderr, "iptc: %s\n", iptc_strerror(errno)); return 1; }
        iptc_free(h);
        if (verify && !read_back(argv[1])) { perror("getsockopt"); return 1; }
        times[i] = now() - start;
    }
    qsort(times, runs, sizeof *times, compare);
    printf("%.1f\n", times[runs / 2]);
    return 0;
}
