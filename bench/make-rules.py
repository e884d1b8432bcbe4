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
    parser.add_argument("directory")
    args = parser.parse_args()
    if args.rules <= 0 or args.rules % RULES_PER_PARTITION:
        sys.exit(f"--rules must be a positive multiple of {RULES_PER_PARTITION}")
    partitions = args.rules // RULES_PER_PARTITION
    if partitions > 65536:
        sys.exit("at most 65,536 partitions (1,310,720 rules)")
    os.makedirs(args.directory, exist_ok=True)
    extension, render = (".rb", ruby_partition) if args.ruby else (".swift", swift_partition)
    for i in range(partitions):
        # 50 files a directory, as a hosting platform might group customers.
        sub = os.path.join(args.directory, f"group{i // 50:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"p{i:05d}{extension}"), "w") as f:
            f.write(render(i))
    print(f"{partitions} partitions, {args.rules} rules in {args.directory}")


if __name__ == "__main__":
    main()
