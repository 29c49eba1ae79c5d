"""What the Python benchmarks share: reading the benchmark database (SQLite file or PostgreSQL
through psql), moving the registry revision so a server drops what it kept, timing one GET on a
kept-alive connection, and a p95. Standard library only."""
import argparse
import sqlite3
import subprocess
import time

BUMP = ("UPDATE registry_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) "
        "WHERE key = 'revision'")


def sql(db_url, query):
    """Rows of `query`, each a list of strings."""
    if db_url.startswith("postgres"):
        out = subprocess.run(["psql", db_url, "-AtF", "\t", "-c", query], check=True,
                             capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]
    with sqlite3.connect(db_url.removeprefix("sqlite://")) as db:
        return [list(map(str, row)) for row in db.execute(query)]


def forget_results(db_url):
    """Moves the registry revision, as any change does; the server drops what it kept."""
    if db_url.startswith("postgres"):
        subprocess.run(["psql", db_url, "-qc", BUMP], check=True)
    else:
        with sqlite3.connect(db_url.removeprefix("sqlite://")) as db:
            db.execute(BUMP)
    time.sleep(1.2)  # an instance reads the revision at most once a second


def timed(conn, path, headers=None):
    """(milliseconds, status, body) of one GET."""
    start = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    return (time.perf_counter() - start) * 1000, resp.status, body


def p95(sorted_ms):
    return sorted_ms[max(0, int(len(sorted_ms) * 0.95) - 1)]


def sample_args():
    """The options of the benchmarks that time a random sample of certificates: the server,
    its database, how many certificates and which draw."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=13)
    return ap.parse_args()

