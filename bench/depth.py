#!/usr/bin/env python3
"""Search result pages at every depth (issue 12, section 1: any result page of any query answers
with p95 <= 20 ms at 1,000,000 certificates).

A grid of queries (no text, broad words such as 科技 and 有限公司, a narrow brand fragment) times
filters (none, stars, status, a small province, a platform type, several at once) times sort
orders times pages (the first, the middle and the deepest listed one, 50), each sent in turn on
one keep-alive connection after a warm-up pass, to /search and to /api/v1/certificates.
Search results are kept until the registry changes (web::pages::search_cache): before each
round the registry revision is moved (--db-url), so what is measured is the search itself, on
a warm database, as the first reader after a change sees it.
Prints p50/p95/max per query word and over everything, and the slowest URLs.
Standard library only (psql for PostgreSQL).
Usage: bench/depth.py --base http://127.0.0.1:18100 --db-url sqlite://bench-out/bench-1000000.db [--rounds 3]
       [--dump timings.tsv]
"""
import argparse
import http.client
import itertools
import statistics
import urllib.parse

from benchlib import forget_results, p95, timed as timed_body

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
SORTS = ["best", "grade", "name", "newest", "expiry"]
PAGES = [1, 25, 50]


def urls():
    for word, filters, sort, page in itertools.product(WORDS, FILTERS, SORTS, PAGES):
        params = dict(filters)
        if word:
            params["q"] = word
        if sort != "best":
            params["sort"] = sort
        if page > 1:
            params["page"] = str(page)
        query = urllib.parse.urlencode(params)
        for endpoint in ("/search", "/api/v1/certificates"):
            yield word or "(none)", f"{endpoint}?{query}"


def timed(conn, path):
    ms, status, _ = timed_body(conn, path, {"Accept-Encoding": "gzip"})
    return ms, status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--slowest", type=int, default=8)
    ap.add_argument("--dump", help="write every timing as 'ms<TAB>path' to this file")
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    grid = list(urls())
    statuses = {}
    for _, path in grid:  # warm-up: the planners' caches, the page cache of the OS
        _, status = timed(conn, path)
        statuses[status] = statuses.get(status, 0) + 1
    by_word, every, worst = {}, [], []
    # The page and the API share kept results: each endpoint's pass starts after a change.
    for _ in range(args.rounds):
        for endpoint in ("/search?", "/api/v1/certificates?"):
            forget_results(args.db_url)
            for word, path in grid:
                if not path.startswith(endpoint):
                    continue
                ms, _ = timed(conn, path)
                by_word.setdefault(word, []).append(ms)
                every.append(ms)
                worst.append((ms, path))

    def line(label, xs):
        xs = sorted(xs)
        print(f"{label:<12} {len(xs):>6} {statistics.median(xs):>9.1f} {p95(xs):>9.1f} {xs[-1]:>9.1f}")

    print(f"statuses of the {len(grid)} URLs: {statuses}")
    print(f"{'query':<12} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for word, xs in by_word.items():
        line(word, xs)
    line("all", every)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for ms, path in worst:
                out.write(f"{ms:.1f}\t{urllib.parse.unquote(path)}\n")
    print("slowest:")
    for ms, path in sorted(worst, reverse=True)[:args.slowest]:
        print(f"  {ms:8.1f} ms  {urllib.parse.unquote(path)}")


if __name__ == "__main__":
    main()
