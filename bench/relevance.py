#!/usr/bin/env python3
"""Best match first (issue 13 section 1): for 200 random certificates of the registry, three
queries each -- the brand (the platform name's first two characters), the full platform name and
the full company name -- must put first a certificate whose platform (or company, for the
company query) is named exactly so or starts with the query; and every query kind answers with
p95 <= 20 ms at 1,000,000 certificates. A fourth kind, "pinyin", times the first eight letters
of the certificate's longest pinyin spelling (issue 13 section 2; "best first" counts any result).

Each query is sent to /api/v1/certificates (whose first item is checked) and to /search, on one
keep-alive connection. Search results are kept until the registry changes
(web::pages::search_cache), and the page and the API share them: a warm-up pass reads every
query once, then before each endpoint's timed pass the registry revision is moved (as any
change does), so each timed request is the first reader of its query after that change.
Prints, per query kind and endpoint, p50/p95/max and how many put an exact or prefix match first.
Standard library only (psql for PostgreSQL).
Usage: bench/relevance.py --base http://127.0.0.1:18100 --db-url sqlite://bench-out/bench-1000000.db
       [--count 200] [--seed 13]
"""
import gzip
import http.client
import json
import random
import urllib.parse

from benchlib import forget_results, p95, sample_args, sql, timed

PICK = ("SELECT p.name, c.name_zh, t.id FROM certificates t JOIN platforms p ON p.id = t.platform_id "
        "JOIN companies c ON c.id = t.company_id WHERE t.id IN ({ids})")


def pick(db_url, count, seed):
    """`count` random certificates' platform and company names."""
    (top,), = sql(db_url, "SELECT MAX(id) FROM certificates")
    rng = random.Random(seed)
    ids = rng.sample(range(1, int(top) + 1), count)
    return sql(db_url, PICK.format(ids=",".join(map(str, ids))))


def queries(names, spellings):
    """(kind, query, is_good(first item)) for each picked certificate."""
    for platform, company, cid in names:
        # (Registries indexed before ü was spelled v and u hold spellings with ü: skipped.)
        spelled = sorted((x for x in spellings.get(cid, []) if x.isascii()), key=len)
        if spelled:
            # The longest spelling (a full pinyin), as far as people type it.
            q = spelled[-1][:8]
            yield ("pinyin", q, lambda item: True)
        brand = platform[:2]
        yield ("brand", brand,
               lambda item, q=brand: item["platform"]["name"].startswith(q)
               or item["company"]["name_zh"].startswith(q))
        yield ("platform", platform, lambda item, q=platform: item["platform"]["name"] == q)
        yield ("company", company, lambda item, q=company: item["company"]["name_zh"] == q)


def main():
    args = sample_args()
    u = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    names = pick(args.db_url, args.count, args.seed)
    spellings = {}
    for cid, spelling in sql(args.db_url, "SELECT certificate_id, spelling FROM pinyin_keys "
                             "WHERE certificate_id IN (%s)" % ",".join(n[2] for n in names)):
        spellings.setdefault(cid, []).append(spelling)
    plan = list(queries(names, spellings))
    endpoints = ("/api/v1/certificates?per_page=5&", "/search?")
    paths = [(kind, ep + urllib.parse.urlencode({"q": q}), good)
             for kind, q, good in plan for ep in endpoints]
    for _, path, _ in paths:  # warm-up: the planners' caches, the page cache of the OS
        timed(conn, path, {"Accept-Encoding": "gzip"})
    times, good, statuses, misses = {}, {}, {}, []
    # The page and the API share kept results: each endpoint's pass starts after a change.
    for endpoint in endpoints:
        forget_results(args.db_url)
        for kind, path, is_good in paths:
            if not path.startswith(endpoint):
                continue
            ms, status, body = timed(conn, path, {"Accept-Encoding": "gzip"})
            ep = path.split("?")[0]
            times.setdefault((kind, ep), []).append(ms)
            statuses[status] = statuses.get(status, 0) + 1
            if ep.startswith("/api") and status == 200:
                try:
                    body = gzip.decompress(body)
                except OSError:
                    pass
                items = json.loads(body)["items"]
                ok = bool(items) and is_good(items[0])
                good[kind] = good.get(kind, 0) + ok
                if not ok:
                    first = items[0]["platform"]["name"] if items else "(none)"
                    misses.append(f"{kind}: {urllib.parse.unquote(path)} -> {first}")
    print(f"statuses: {statuses}")
    print(f"{'kind':<10} {'endpoint':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'best first':>11}")
    for (kind, ep), xs in sorted(times.items()):
        xs = sorted(xs)
        p50 = xs[len(xs) // 2]
        right = f"{good.get(kind, 0)}/{len(xs)}" if ep.startswith("/api") else ""
        print(f"{kind:<10} {ep:<22} {len(xs):>5} {p50:>8.1f} {p95(xs):>8.1f} {xs[-1]:>8.1f} "
              f"{right:>11}")
    for line in misses[:10]:
        print("  not first:", line)


if __name__ == "__main__":
    main()
