// libiptc and libip6tc (IPv4 and IPv6, legacy x_tables) for ript: the headers ript needs, and
// static inline wrappers for the macros Swift can't import. Only RiptKernel's
// Libiptc and Read folders include this module.
#ifndef RIPT_CIPTABLES_SHIM_H
#define RIPT_CIPTABLES_SHIM_H

#include <errno.h>
#include <string.h>
#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_hl.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_comment.h>

static inline unsigned int CIPTables_xt_align(unsigned int size) { return XT_ALIGN(size); }
static inline int CIPTables_errno(void) { return errno; }
static inline void CIPTables_set_errno(int value) { errno = value; }

// xt_conntrack's state bits are macros over an enum: `--ctstate` as the kernel counts it.
static const unsigned short CIPTables_ct_state_invalid = XT_CONNTRACK_STATE_INVALID;
static const unsigned short CIPTables_ct_state_new = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
static const unsigned short CIPTables_ct_state_related = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
static const unsigned short CIPTables_ct_state_established = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
static const unsigned short CIPTables_ct_state_untracked = XT_CONNTRACK_STATE_UNTRACKED;

// The layouts ript writes and reads byte by byte (x86_64 and other LP64).
_Static_assert(sizeof(struct ipt_entry) == 112, "ipt_entry");
_Static_assert(__builtin_offsetof(struct ipt_entry, target_offset) == 88, "ipt_entry.target_offset");
_Static_assert(__builtin_offsetof(struct ipt_entry, next_offset) == 90, "ipt_entry.next_offset");
_Static_assert(sizeof(struct xt_entry_match) == 32, "xt_entry_match header");
_Static_assert(sizeof(struct xt_entry_target) == 32, "xt_entry_target header");
_Static_assert(sizeof(struct xt_tcp) == 12, "xt_tcp");
_Static_assert(sizeof(struct xt_udp) == 10, "xt_udp");
_Static_assert(sizeof(struct nf_nat_range2) == 44, "nf_nat_range2");
_Static_assert(sizeof(struct nf_nat_ipv4_multi_range_compat) == 20, "nf_nat_ipv4_multi_range_compat");
_Static_assert(sizeof(struct xt_log_info) == 32, "xt_log_info");
_Static_assert(sizeof(struct ipt_reject_info) == 4, "ipt_reject_info");
_Static_assert(__builtin_offsetof(struct ipt_entry, ip.outiface) == 32, "ipt_entry.ip.outiface");
_Static_assert(__builtin_offsetof(struct ipt_entry, ip.outiface_mask) == 64, "ipt_entry.ip.outiface_mask");
_Static_assert(sizeof(struct ipt_icmp) == 4, "ipt_icmp");
// Matches as iptables 1.8.9 writes them: conntrack revision 3 (match size
// 200), limit 0 (72; the kernel keeps what follows `burst` to itself),
// comment 0 (288), icmp and icmp6 0 (40), hl 0 (40).
_Static_assert(sizeof(struct xt_conntrack_mtinfo3) == 164, "xt_conntrack_mtinfo3");
_Static_assert(__builtin_offsetof(struct xt_conntrack_mtinfo3, match_flags) == 146, "xt_conntrack_mtinfo3.match_flags");
_Static_assert(__builtin_offsetof(struct xt_conntrack_mtinfo3, state_mask) == 150, "xt_conntrack_mtinfo3.state_mask");
_Static_assert(sizeof(struct xt_rateinfo) == 40, "xt_rateinfo");
_Static_assert(__builtin_offsetof(struct xt_rateinfo, prev) == 8, "xt_rateinfo.prev");
_Static_assert(sizeof(struct xt_comment_info) == 256, "xt_comment_info");
_Static_assert(sizeof(struct ip6t_icmp) == 4, "ip6t_icmp");
_Static_assert(sizeof(struct ip6t_hl_info) == 2, "ip6t_hl_info");
_Static_assert(XT_CONNTRACK_STATE_UNTRACKED == 1 << 8, "XT_CONNTRACK_STATE_UNTRACKED");
// IPv6: what ip6tables 1.8.9 writes. SNAT is revision 1 (nf_nat_range,
// target size 72), DNAT revision 2 (nf_nat_range2, 80), REJECT revision 0
// with IP6T_ICMP6_PORT_UNREACH; a protocol match also sets IP6T_F_PROTO.
_Static_assert(sizeof(struct ip6t_entry) == 168, "ip6t_entry");
_Static_assert(__builtin_offsetof(struct ip6t_entry, ipv6.proto) == 128, "ip6t_entry.ipv6.proto");
_Static_assert(__builtin_offsetof(struct ip6t_entry, ipv6.flags) == 131, "ip6t_entry.ipv6.flags");
_Static_assert(__builtin_offsetof(struct ip6t_entry, target_offset) == 140, "ip6t_entry.target_offset");
_Static_assert(__builtin_offsetof(struct ip6t_entry, next_offset) == 142, "ip6t_entry.next_offset");
_Static_assert(__builtin_offsetof(struct ip6t_entry, comefrom) == 144, "ip6t_entry.comefrom");
_Static_assert(__builtin_offsetof(struct ip6t_entry, counters) == 152, "ip6t_entry.counters");
_Static_assert(sizeof(struct nf_nat_range) == 40, "nf_nat_range");
_Static_assert(sizeof(struct ip6t_reject_info) == 4, "ip6t_reject_info");
// The raw reader uses the IPv4 request structs for both families.
_Static_assert(sizeof(struct ip6t_getinfo) == sizeof(struct ipt_getinfo), "ip6t_getinfo");
_Static_assert(__builtin_offsetof(struct ip6t_getinfo, size) == __builtin_offsetof(struct ipt_getinfo, size), "ip6t_getinfo.size");
_Static_assert(__builtin_offsetof(struct ip6t_get_entries, entrytable) == __builtin_offsetof(struct ipt_get_entries, entrytable), "ip6t_get_entries");

#endif
