#!/usr/bin/env python3
"""Search latency over HTTP: p50/p95 per kind of query (name fragment, domain, number, ...).

Samples real certificates from the benchmark database, then sends each query sequentially on
one keep-alive connection (a warm-up pass first) and prints one line per kind. Standard library
only; PostgreSQL samples are read with psql.
"""
import argparse
import http.client
import random
import sqlite3
import statistics
import subprocess
import time
import urllib.parse

SAMPLE_SQL = (
    "SELECT c.number, p.name, co.name_zh, "
    "(SELECT d.domain FROM platform_domains d WHERE d.platform_id = p.id ORDER BY d.id LIMIT 1) "
    "FROM certificates c JOIN platforms p ON p.id = c.platform_id "
    "JOIN companies co ON co.id = c.company_id WHERE c.id IN ({ids})"
)


def sample(db_url, count, total, seed):
    rng = random.Random(seed)
    ids = ",".join(str(rng.randint(1, total)) for _ in range(count))
    sql = SAMPLE_SQL.format(ids=ids)
    if db_url.startswith("postgres"):
        out = subprocess.run(["psql", db_url, "-AtF", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    path = db_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql))


def queries(rows):
    kinds = {"name-2char": [], "name-4char": [], "domain": [], "url": [], "number": []}
    for number, platform, company, domain in rows:
        kinds["name-2char"].append(platform[:2])
        # A fragment from the middle of the company name (after the city).
        kinds["name-4char"].append(company[2:6])
        if domain:
            kinds["domain"].append(domain)
            kinds["url"].append(f"https://www.{domain}/item/12345.html?spm=a1")
        kinds["number"].append(number)
    return kinds


def measure(base, qs, rounds):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    times = []
    for r in range(rounds + 1):
        for q in qs:
            path = "/search?" + urllib.parse.urlencode({"q": q})
            start = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            elapsed = (time.perf_counter() - start) * 1000
            if resp.status != 200:
                raise SystemExit(f"{path}: HTTP {resp.status}")
            if r > 0:  # the first round warms caches
                times.append(elapsed)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return len(times), statistics.median(times), p(0.95), times[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--total", type=int, required=True)
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    kinds = queries(sample(args.db_url, args.samples, args.total, 7))
    kinds["common-word"] = ["科技", "有限公司", "商城"]
    for kind, qs in kinds.items():
        n, p50, p95, worst = measure(args.base, qs, args.rounds)
        print(f"{args.label}\t{kind}\tn={n}\tp50={p50:.2f} ms\tp95={p95:.2f} ms\tmax={worst:.2f} ms", flush=True)


if __name__ == "__main__":
    main()
