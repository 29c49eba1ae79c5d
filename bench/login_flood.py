"""50 parallel clients posting wrong logins for SECS seconds from NETWORKS loopback addresses
(127.0.0.2 …), each on a kept-alive connection per address, then the right password once from
a network without failures (127.0.0.254). Prints the answers by status and the right login's
time. Usage: login_flood.py PORT NETWORKS SECS"""
import http.client, re, sys, threading, time, urllib.parse

port, networks, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

def connect(source):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))

def attempt(conn, username, password):
    conn.request("GET", "/admin/login")
    r = conn.getresponse(); page = r.read().decode()
    cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "username": username, "password": password})
    conn.request("POST", "/admin/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = conn.getresponse(); r.read()
    return r.status

answers, lock, stop = {}, threading.Lock(), time.time() + secs
def worker(w):
    conns, i = {}, 0
    while time.time() < stop:
        source = f"127.0.0.{2 + (w * 7 + i) % networks}"
        conn = conns.get(source) or conns.setdefault(source, connect(source))
        try:
            code = attempt(conn, f"user{w}", "wrong password")
        except Exception as e:
            code = type(e).__name__
            conns.pop(source).close()
        with lock:
            answers[code] = answers.get(code, 0) + 1
        i += 1
threads = [threading.Thread(target=worker, args=(w,)) for w in range(50)]
[t.start() for t in threads]
time.sleep(secs / 2)
started = time.time()
right = attempt(connect("127.0.0.254"), "ops", "the staff password 1")
took = time.time() - started
[t.join() for t in threads]
total = sum(v for v in answers.values())
print(f"login attempts: {total} ({total / secs:.0f}/s), answers {dict(sorted(answers.items(), key=str))}; "
      f"the right password from a clean network: {right} in {took:.2f} s")
