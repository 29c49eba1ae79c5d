#!/usr/bin/env python3
"""Driver of bench/outage.sh: one server on a database that goes away, measured from outside.

pg:     a PostgreSQL cluster of the bench's own (port 5499) is stopped for 20 s while wrk
        fetches cached badges and a client sends uncached requests one after another; then it
        is started again. Prints cached-badge throughput during the outage as a ratio of before
        (target >= 0.9), p99 time to the 503 of an uncached request (target < 1 s), seconds
        from the database's return to the first uncached 200 (target <= 2 s), and 5xx other
        than 503 (target 0).
sqlite: another process holds SQLite's write lock for 15 s while wrk reads uncached API
        pages and a back-office login (a write) is tried. Prints reader throughput during the
        lock as a ratio of before, the writer's answer and how long it took (busy_timeout 5 s).
"""
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import http.cookiejar

BIN = os.environ.get("SQE_BENCH_BIN", "target/release/sqe-registry")
PORT = 18097
BASE = f"http://127.0.0.1:{PORT}"
OUT = "bench-out"
PG_PORT = 5499
PG_DIR = "/tmp/sqe-outage-pg"
PG_BIN = "/usr/lib/postgresql/15/bin"
PG_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/sqe_outage"


def get(path, timeout=10):
    """(status, seconds, body) of one GET."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(BASE + path, timeout=timeout) as res:
            body = res.read()
            return res.status, time.monotonic() - started, body
    except urllib.error.HTTPError as e:
        return e.code, time.monotonic() - started, e.read()
    except Exception:  # refused, reset, time-out: not an HTTP answer
        return 0, time.monotonic() - started, b""


def wrk(paths, seconds, connections=64):
    """Requests/s and non-2xx count of wrk cycling over `paths`."""
    script = os.path.join(OUT, "outage-paths.lua")
    with open(script, "w") as f:
        f.write("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        f.write("local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script, BASE],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return rps, int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else ""


def start_server(url, log):
    env = dict(os.environ, DATABASE_URL=url, SQE_BIND=f"127.0.0.1:{PORT}",
               SQE_PUBLIC_URL=BASE, RUST_LOG="warn")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
    for _ in range(300):
        if get("/healthz", timeout=1)[0] == 200:
            return server
        time.sleep(0.2)
    raise SystemExit("the server did not start")


class Prober(threading.Thread):
    """Uncached requests one after another (each search term new), recording every answer."""

    def __init__(self):
        super().__init__(daemon=True)
        self.answers = []  # (monotonic time, status, seconds)
        self.stop = False

    def run(self):
        n = 0
        while not self.stop:
            n += 1
            status, took, _ = get(f"/search?q=probe{n}", timeout=10)
            self.answers.append((time.monotonic(), status, took))
            time.sleep(0.02)


def pg(cmd, *args):
    return subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/{cmd}", *args],
                          capture_output=True, text=True)


def pg_start():
    r = pg("pg_ctl", "-D", PG_DIR, "-o", f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1",
           "-l", f"{PG_DIR}/log", "-w", "start")
    if r.returncode != 0:
        raise SystemExit(f"pg_ctl start: {r.stdout}{r.stderr}")


def pg_stop():
    pg("pg_ctl", "-D", PG_DIR, "-m", "fast", "-w", "stop")


def bench_pg(log):
    if not os.path.exists(f"{PG_DIR}/PG_VERSION"):
        os.makedirs(PG_DIR, exist_ok=True)
        subprocess.run(["chown", "postgres", PG_DIR], check=True)
        r = pg("initdb", "-D", PG_DIR, "-A", "trust", "-U", "postgres", "-E", "UTF8",
               "--locale=C.UTF-8")
        if r.returncode != 0:
            raise SystemExit(f"initdb: {r.stderr}")
    pg_stop()
    pg_start()
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-q", "-c",
                    "DROP DATABASE IF EXISTS sqe_outage WITH (FORCE)", "-c",
                    "CREATE DATABASE sqe_outage TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"], check=True)
    subprocess.run([BIN, "demo", "--count", "2000", "--seed", "1"], check=True, stdout=log,
                   stderr=log, env=dict(os.environ, DATABASE_URL=PG_URL, RUST_LOG="warn"))
    numbers = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-At", "-d",
         "sqe_outage", "-c",
         "SELECT number FROM certificates WHERE status = 'valid' ORDER BY id LIMIT 200"],
        capture_output=True, text=True, check=True).stdout.split()
    server = start_server(PG_URL, log)
    try:
        badges = [f"/badge/{n}.svg" for n in numbers]
        for path in badges:
            assert get(path)[0] == 200, path
        wrk(badges, 3)  # warm-up
        before, before_bad, _ = wrk(badges, 10)

        prober = Prober()
        pg_stop()
        stopped = time.monotonic()
        prober.start()
        during, during_bad, during_errors = wrk(badges, 15)
        time.sleep(max(0.0, 20 - (time.monotonic() - stopped)))
        pg_start()
        returned = time.monotonic()
        recovered = None
        while time.monotonic() - returned < 30:
            if any(t > returned and s == 200 for t, s, _ in prober.answers):
                recovered = min(t for t, s, _ in prober.answers if t > returned and s == 200)
                break
            time.sleep(0.05)
        prober.stop = True
        prober.join()
        outage = [a for a in prober.answers if stopped < a[0] <= returned]
        refused = sorted(took for _, s, took in outage if s == 503)
        other_5xx = sum(1 for _, s, _ in prober.answers if s >= 500 and s != 503)
        no_answer = sum(1 for _, s, _ in prober.answers if s == 0)
        p99 = refused[min(len(refused) - 1, int(len(refused) * 0.99))] if refused else None
        print(f"cached badges before:  {before:10.0f} req/s   non-2xx {before_bad}")
        print(f"cached badges outage:  {during:10.0f} req/s   non-2xx {during_bad}"
              f"{'   socket errors ' + during_errors if during_errors else ''}")
        print(f"ratio outage/before:   {during / before:10.2f}    (target >= 0.9)")
        if refused:
            print(f"uncached 503s:         {len(refused):10d}    median "
                  f"{statistics.median(refused) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                  f"max {refused[-1] * 1000:.1f} ms (target p99 < 1 s)")
        print(f"uncached answers:      {len(outage):10d}    during the outage "
              f"(200: {sum(1 for a in outage if a[1] == 200)}, no answer: {no_answer})")
        print("recovery:              " + (f"{recovered - returned:10.2f} s  from the database's "
              "return to the first uncached 200 (target <= 2 s)" if recovered else "none in 30 s"))
        print(f"5xx other than 503:    {other_5xx:10d}    (target 0)")
    finally:
        server.terminate()
        server.wait()
        pg_stop()


def login_form_token(opener):
    with opener.open(BASE + "/admin/login") as res:
        html = res.read().decode()
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def bench_sqlite(log):
    db = os.path.join(OUT, "outage.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    url = f"sqlite://{db}"
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn")
    subprocess.run([BIN, "demo", "--count", "2000", "--seed", "1"], check=True, stdout=log,
                   stderr=log, env=env)
    subprocess.run([BIN, "user", "add", "--username", "bench", "--role", "admin"], input="bench-outage-password-1\n",
                   text=True, check=True, stdout=log, stderr=log, env=env)
    numbers = [n for (n,) in sqlite3.connect(db).execute(
        "SELECT number FROM certificates ORDER BY id LIMIT 500")]
    server = start_server(url, log)
    try:
        # A query other than `lang` is never kept (web::pages::keyed): each read goes to SQLite.
        readers = [f"/api/v1/certificates/{n}?read=db" for n in numbers]
        wrk(readers, 3)
        before, before_bad, _ = wrk(readers, 10)
        # The login form is fetched before the lock: showing it stores a session (a write).
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        token = login_form_token(opener)
        lock = sqlite3.connect(db, isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        lock.execute("INSERT INTO registry_meta (key, value) VALUES ('bench-lock', '1') "
                     "ON CONFLICT (key) DO UPDATE SET value = '1'")
        locked = time.monotonic()
        result = {}

        def writer():
            form = urllib.parse.urlencode({"csrf": token, "username": "bench",
                                           "password": "bench-outage-password-1"}).encode()
            started = time.monotonic()
            try:
                with opener.open(BASE + "/admin/login", data=form, timeout=30) as res:
                    result["status"], result["body"] = res.status, res.read().decode()
            except urllib.error.HTTPError as e:
                result["status"], result["body"] = e.code, e.read().decode()
                result["retry_after"] = e.headers.get("Retry-After")
            result["seconds"] = time.monotonic() - started

        writing = threading.Thread(target=writer)
        writing.start()
        during, during_bad, during_errors = wrk(readers, 10)
        writing.join()
        time.sleep(max(0.0, 15 - (time.monotonic() - locked)))
        lock.execute("ROLLBACK")
        lock.close()
        after_status = get(readers[0])[0]
        body = result.get("body", "")
        said = re.search(r"(未保存任何内容[^<]*|Nothing was saved[^<]*)", body)
        print(f"uncached API reads before: {before:10.0f} req/s   non-2xx {before_bad}")
        print(f"uncached API reads locked: {during:10.0f} req/s   non-2xx {during_bad}"
              f"{'   socket errors ' + during_errors if during_errors else ''}")
        print(f"ratio locked/before:       {during / before:10.2f}")
        print(f"back-office login (write): {result.get('status')} after "
              f"{result.get('seconds', 0):.2f} s, Retry-After {result.get('retry_after')}"
              + (f", says: {said.group(1).strip()}" if said else ""))
        print(f"read after the lock ends:  {after_status}")
    finally:
        server.terminate()
        server.wait()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "pg"
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"outage-{mode}.log"), "w") as log:
        print(f"machine: {os.cpu_count()} cores; load: {open('/proc/loadavg').read().split()[:3]}"
              f"; date: {time.strftime('%F')}; mode: {mode}")
        (bench_pg if mode == "pg" else bench_sqlite)(log)


if __name__ == "__main__":
    main()
