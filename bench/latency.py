#!/usr/bin/env python3
"""Search latency over HTTP: p50/p95 per kind of query (name fragment, domain, number, ...),
for the HTML search (/search) and the JSON API's search (/api/v1/certificates, same query, same
page size), then both over all kinds and the API/HTML ratio of p95 (issue 5: at most 1.2).

Samples real certificates from the benchmark database, then sends each query sequentially on
one keep-alive connection (a warm-up pass first) and prints one line per kind and endpoint.
Standard library only; PostgreSQL samples are read with psql.
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


ENDPOINTS = {"html": "/search", "api": "/api/v1/certificates"}


def measure(base, endpoint, qs, rounds):
    """Returns (n, p50, p95, max, every time) of the queries `qs` on one endpoint."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    times = []
    for r in range(rounds + 1):
        for q in qs:
            path = endpoint + "?" + urllib.parse.urlencode({"q": q})
            start = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            elapsed = (time.perf_counter() - start) * 1000
            if resp.status != 200:
                raise SystemExit(f"{path}: HTTP {resp.status}")
            if r > 0:  # the first round warms caches
                times.append(elapsed)
    p50, p95, worst = percentiles(times)
    return len(times), p50, p95, worst, times


def percentiles(times):
    times = sorted(times)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return statistics.median(times), p(0.95), times[-1]


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
    every = {name: [] for name in ENDPOINTS}
    for kind, qs in kinds.items():
        p95s = {}
        for name, endpoint in ENDPOINTS.items():
            n, p50, p95, worst, times = measure(args.base, endpoint, qs, args.rounds)
            every[name] += times
            p95s[name] = p95
            tag = kind if name == "html" else f"{kind} (api)"
            print(f"{args.label}\t{tag}\tn={n}\tp50={p50:.2f} ms\tp95={p95:.2f} ms\tmax={worst:.2f} ms", flush=True)
        print(f"{args.label}\t{kind}\tp95 api/html={p95s['api'] / p95s['html']:.2f}", flush=True)
    summary = {name: percentiles(times) for name, times in every.items()}
    for name, (p50, p95, worst) in summary.items():
        print(f"{args.label}\tall kinds ({name})\tn={len(every[name])}\tp50={p50:.2f} ms\tp95={p95:.2f} ms\tmax={worst:.2f} ms", flush=True)
    print(f"{args.label}\tall kinds\tp95 api/html={summary['api'][1] / summary['html'][1]:.2f} (issue 5: at most 1.20)", flush=True)


if __name__ == "__main__":
    main()
