#!/usr/bin/env python3
"""Writes a synthetic rule directory for ript's benchmarks.

Every partition uses each kind of rule (accept, drop, reject, log, log: true,
port lists, ranges, protocols, interfaces, DNAT with a port mapping, SNAT)
and compiles to exactly 20 rules in its chains, so N rules means N / 20
partition files. (The original Ript's last release refuses port mappings in
`ports` with a PortError, so its version maps nothing: 2222 stays 2222,
for the same count of rules.) Addresses are unique per partition and the output depends
only on the arguments, so runs are comparable.

    bench/make-rules.py --rules 50000 DIR      # 2,500 files, 50,000 rules
    bench/make-rules.py --rules 1000 --ruby DIR  # the same in original Ript's DSL
    bench/make-rules.py --rules 50000 --dual DIR # 1,250 dual-stack files: 25,000 rules in each family

With --dual every partition has IPv4 and IPv6 labels side by side and each
rule names both, so it compiles to the same 20 rules in each family.
"""
import argparse
import os
import sys

RULES_PER_PARTITION = 20


def addresses(i):
    a, b = i >> 8, i & 0xFF
    return {
        "web": f"10.{a}.{b}.10",
        "db": f"10.{a}.{b}.20",
        "lan": f"10.{a + 100}.{b}.0/24",
        "public": f"100.{64 + a}.{b}.1",
        "bad": f"198.18.{a}.{b}",
    }


def swift_partition(i):
    ip = addresses(i)
    return f'''import RiptDSL

Partition("p{i:05d}") {{
    Label("web", address: "{ip['web']}")
    Label("db", address: "{ip['db']}")
    Label("lan", address: "{ip['lan']}")
    Label("public", address: "{ip['public']}")
    Label("bad", address: "{ip['bad']}")

    Accept("web") {{ Ports(80, 443); To("web") }}
    Accept("ssh from the lan") {{ Ports(22); From("lan"); To("web") }}
    Accept("app range") {{ Ports(8000...8100); To("db") }}
    Drop("bad udp") {{ Protocols("udp"); From("bad"); To("web") }}
    Reject("no smtp") {{ Ports(25); From("lan"); To("db"); Interface("eth+") }}
    Log("mysql") {{ Ports(3306); To("db") }}
    Accept("dns") {{ Protocols("udp", "tcp"); Ports(53); To("web") }}
    Rewrite("public web and ssh") {{ Ports(8080, 2222 => 22); DNAT("public" => "web") }}
    Rewrite("lan out") {{ SNAT("lan" => "public") }}
    Accept("metrics", log: true) {{ Ports(9000); To("web") }}
    Drop("bad anything") {{ From("bad") }}
    Accept("ping") {{ Protocols("icmp"); To("web") }}
    Accept("postgres") {{ Ports(5432); From("db"); To("web") }}
}}
'''


def addresses6(i):
    return {
        "web6": f"2001:db8:{i:x}::10",
        "db6": f"2001:db8:{i:x}::20",
        "lan6": f"2001:db8:{i:x}:1::/64",
        "public6": f"2001:db8:ffff:{i:x}::1",
        "bad6": f"2001:db8:eeee:{i:x}::1",
    }


def dual_partition(i):
    ip, ip6 = addresses(i), addresses6(i)
    labels = "\n".join(f'    Label("{name}", address: "{address}")' for name, address in list(ip.items()) + list(ip6.items()))
    return f'''import RiptDSL

Partition("p{i:05d}") {{
{labels}

    Accept("web") {{ Ports(80, 443); To("web", "web6") }}
    Accept("ssh from the lan") {{ Ports(22); From("lan", "lan6"); To("web", "web6") }}
    Accept("app range") {{ Ports(8000...8100); To("db", "db6") }}
    Drop("bad udp") {{ Protocols("udp"); From("bad", "bad6"); To("web", "web6") }}
    Reject("no smtp") {{ Ports(25); From("lan", "lan6"); To("db", "db6"); Interface("eth+") }}
    Log("mysql") {{ Ports(3306); To("db", "db6") }}
    Accept("dns") {{ Protocols("udp", "tcp"); Ports(53); To("web", "web6") }}
    Rewrite("public web and ssh") {{ Ports(8080, 2222 => 22); DNAT("public" => "web"); DNAT("public6" => "web6") }}
    Rewrite("lan out") {{ SNAT("lan" => "public"); SNAT("lan6" => "public6") }}
    Accept("metrics", log: true) {{ Ports(9000); To("web", "web6") }}
    Drop("bad anything") {{ From("bad", "bad6") }}
    Accept("ping") {{ Protocols("icmp", "ipv6-icmp"); To("web", "web6") }}
    Accept("postgres") {{ Ports(5432); From("db", "db6"); To("web", "web6") }}
}}
'''


def ruby_partition(i):
    ip = addresses(i)
    return f'''partition "p{i:05d}" do
  label "web", :address => "{ip['web']}"
  label "db", :address => "{ip['db']}"
  label "lan", :address => "{ip['lan']}"
  label "public", :address => "{ip['public']}"
  label "bad", :address => "{ip['bad']}"

  accept "web" do ports 80, 443; to "web" end
  accept "ssh from the lan" do ports 22; from "lan"; to "web" end
  accept "app range" do ports 8000..8100; to "db" end
  drop "bad udp" do protocols "udp"; from "bad"; to "web" end
  reject "no smtp" do ports 25; from "lan"; to "db"; interface "eth+" end
  log "mysql" do ports 3306; to "db" end
  accept "dns" do protocols "udp", "tcp"; ports 53; to "web" end
  rewrite "public web and ssh" do ports 8080, 2222; dnat "public" => "web" end
  rewrite "lan out" do snat "lan" => "public" end
  accept "metrics", :log => true do ports 9000; to "web" end
  drop "bad anything" do from "bad"; to "all" end
  accept "ping" do protocols "icmp"; to "web" end
  accept "postgres" do ports 5432; from "db"; to "web" end
end
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, required=True, help="rules to generate (a multiple of 20)")
    parser.add_argument("--ruby", action="store_true", help="write original Ript's Ruby DSL instead")
    parser.add_argument("--dual", action="store_true", help="dual-stack partitions: RULES in all, half in each family")
    parser.add_argument("directory")
    args = parser.parse_args()
    if args.rules <= 0 or args.rules % RULES_PER_PARTITION:
        sys.exit(f"--rules must be a positive multiple of {RULES_PER_PARTITION}")
    per_partition = RULES_PER_PARTITION * (2 if args.dual else 1)
    if args.rules % per_partition:
        sys.exit(f"--rules must be a positive multiple of {per_partition}")
    partitions = args.rules // per_partition
    if partitions > 65536:
        sys.exit("at most 65,536 partitions (1,310,720 rules)")
    os.makedirs(args.directory, exist_ok=True)
    extension, render = (".rb", ruby_partition) if args.ruby else (".swift", dual_partition if args.dual else swift_partition)
    for i in range(partitions):
        # 50 files a directory, as a hosting platform might group customers.
        sub = os.path.join(args.directory, f"group{i // 50:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"p{i:05d}{extension}"), "w") as f:
            f.write(render(i))
    print(f"{partitions} partitions, {args.rules} rules in {args.directory}")


if __name__ == "__main__":
    main()
