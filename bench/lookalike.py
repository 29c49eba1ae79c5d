#!/usr/bin/env python3
"""Look-alike warning (issue 13 section 3): p95 <= 5 ms at 1,000,000 certificates for the look-up
of an address with no certificate, which checks it against every certified site.

For 200 random bound domains of the registry, five hosts each: the same name under another
public suffix, a certified address spelled inside another one, a one-letter typo, a confusable
character (o -> 0, l -> 1, or Cyrillic o), and an unrelated made-up name. Each is sent to
/api/v1/lookup (never kept: every request does the whole check) on one keep-alive connection,
after one warm-up pass over all of them. Prints p50/p95/max per kind and how many warned.
Standard library only (psql for PostgreSQL).
Usage: bench/lookalike.py --base http://127.0.0.1:18100 --db-url sqlite://bench-out/bench-1000000.db
       [--count 200] [--seed 13]
"""
import http.client
import json
import random
import urllib.parse

from benchlib import p95, sample_args, sql, timed


def pick(db_url, count, seed):
    """`count` random bound ASCII domains whose first label has 5+ letters."""
    ((top,),) = sql(db_url, "SELECT MAX(id) FROM platform_domains")
    rng = random.Random(seed)
    ids = rng.sample(range(1, int(top) + 1), count * 3)
    rows = [r[0] for r in sql(db_url, "SELECT domain FROM platform_domains WHERE id IN (%s)"
                                 % ",".join(map(str, ids)))]
    good = [d for d in rows if "xn--" not in d and len(site_of(d)[0]) >= 5]
    rng.shuffle(good)
    return good[:count]


def site_of(domain):
    """The registrable label and its suffix (the demo binds .com, .cn and .com.cn only)."""
    labels = domain.split(".")
    at = len(labels) - (3 if domain.endswith(".com.cn") else 2)
    return labels[at], ".".join(labels[at + 1:])


def variants(domain, rng):
    name, suffix = site_of(domain)
    other = {"com": "net", "cn": "com.cn", "com.cn": "cn"}.get(suffix, "net")
    i = rng.randrange(1, len(name) - 1)
    typo = name[:i] + ("x" if name[i] != "x" else "y") + name[i + 1:]
    for a, b in (("o", "0"), ("l", "1"), ("i", "1"), ("e", "\u0435")):
        if a in name:
            confusable = name.replace(a, b, 1)
            break
    else:
        confusable = name[0] + "\u0430" + name[2:] if name[1] == "a" else name + "\u0435"
    made_up = "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(9))
    return [
        ("other-suffix", f"{name}.{other}"),
        ("embedded", f"{name}-{suffix.replace('.', '-')}.top"),
        ("typo", f"{typo}.{suffix}"),
        ("confusable", f"{confusable}.{suffix}"),
        ("unrelated", f"{made_up}.com"),
    ]


def lookup_path(host):
    return "/api/v1/lookup?" + urllib.parse.urlencode({"domain": host})


def main():
    args = sample_args()
    rng = random.Random(args.seed)
    hosts = [v for d in pick(args.db_url, args.count, args.seed) for v in variants(d, rng)]
    u = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for _, host in hosts:  # warm-up; the first look-up of an instance also builds its key set
        timed(conn, lookup_path(host))
    times, warned, statuses = {}, {}, {}
    for kind, host in hosts:
        ms, status, body = timed(conn, lookup_path(host))
        statuses[status] = statuses.get(status, 0) + 1
        times.setdefault(kind, []).append(ms)
        if status == 200:
            found = json.loads(body)
            warned[kind] = warned.get(kind, 0) + (bool(found["resembles"]) and not found["certificates"])
    print(f"statuses: {statuses}")
    print(f"{'kind':<13} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'warned':>8}")
    every = []
    for kind, xs in times.items():
        every += xs
        xs = sorted(xs)
        print(f"{kind:<13} {len(xs):>5} {xs[len(xs) // 2]:>8.2f} {p95(xs):>8.2f} {xs[-1]:>8.2f} "
              f"{warned.get(kind, 0):>8}")
    every.sort()
    print(f"{'all':<13} {len(every):>5} {every[len(every) // 2]:>8.2f} "
          f"{p95(every):>8.2f} {every[-1]:>8.2f}")


if __name__ == "__main__":
    main()
