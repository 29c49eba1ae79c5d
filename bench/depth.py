#!/usr/bin/env python3
"""Search result pages at every depth (issue 12, section 1: any result page of any query answers
with p95 <= 20 ms at 1,000,000 certificates).

A grid of queries (no text, broad words such as 科技 and 有限公司, a narrow brand fragment) times
filters (none, stars, status, a small province, a platform type, several at once) times sort
orders times pages (the first, the middle and the deepest listed one, 50), each sent in turn on
one keep-alive connection after a warm-up pass, to /search and to /api/v1/certificates.
Prints p50/p95/max per query word and over everything, and the slowest URLs.
Standard library only.
Usage: bench/depth.py --base http://127.0.0.1:18100 [--rounds 3]
"""
import argparse
import http.client
import itertools
import statistics
import time
import urllib.parse

WORDS = ["", "科技", "有限公司", "优选", "商城", "网络", "云帆"]
FILTERS = [
    {},
    {"stars": "5"},
    {"status": "revoked"},
    {"status": "suspended"},
    {"province": "650000"},
    {"type": "cross-border"},
    {"stars": "2", "status": "valid", "province": "540000"},
]
SORTS = ["grade", "name", "newest", "expiry"]
PAGES = [1, 25, 50]


def urls():
    for word, filters, sort, page in itertools.product(WORDS, FILTERS, SORTS, PAGES):
        params = dict(filters)
        if word:
            params["q"] = word
        if sort != "grade":
            params["sort"] = sort
        if page > 1:
            params["page"] = str(page)
        query = urllib.parse.urlencode(params)
        for endpoint in ("/search", "/api/v1/certificates"):
            yield word or "(none)", f"{endpoint}?{query}"


def timed(conn, path):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    resp.read()
    return (time.perf_counter() - start) * 1000, resp.status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--slowest", type=int, default=8)
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    grid = list(urls())
    statuses = {}
    for _, path in grid:  # warm-up: the planners' caches, the page cache of the OS
        _, status = timed(conn, path)
        statuses[status] = statuses.get(status, 0) + 1
    by_word, every, worst = {}, [], []
    for _ in range(args.rounds):
        for word, path in grid:
            ms, _ = timed(conn, path)
            by_word.setdefault(word, []).append(ms)
            every.append(ms)
            worst.append((ms, path))

    def line(label, xs):
        xs = sorted(xs)
        p95 = xs[max(0, int(len(xs) * 0.95) - 1)]
        print(f"{label:<12} {len(xs):>6} {statistics.median(xs):>9.1f} {p95:>9.1f} {xs[-1]:>9.1f}")

    print(f"statuses of the {len(grid)} URLs: {statuses}")
    print(f"{'query':<12} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for word, xs in by_word.items():
        line(word, xs)
    line("all", every)
    print("slowest:")
    for ms, path in sorted(worst, reverse=True)[:args.slowest]:
        print(f"  {ms:8.1f} ms  {urllib.parse.unquote(path)}")


if __name__ == "__main__":
    main()
