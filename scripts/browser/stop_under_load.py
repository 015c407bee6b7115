"""A stop under load: signs in, keeps 12 keep-alive connections busy with database-backed pages, sends the
server SIGTERM, and goes on until the server is gone. Prints what came back; fails on a 500 or an answer
that is neither a page, a redirect nor 503 `shutting_down`. The caller checks the server's exit status
(0: the stop waited for the requests in flight before the databases closed).

usage: stop_under_load.py BASE_URL PASSWORD SERVER_PID
"""
import http.client
import os
import signal
import sys
import threading
import time
import urllib.parse

BASE, PASSWORD, PID = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlparse(BASE)
PAGES = ["/", "/board", "/submissions", "/catalog", "/sharing"]


def sign_in():
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = urllib.parse.urlencode({"username": "admin", "password": PASSWORD})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status not in (302, 303) or not cookie:
        sys.exit(f"sign-in failed: {response.status}")
    return cookie


COOKIE = sign_in()
statuses = {}
unexpected = []
lock = threading.Lock()
stop_sent = threading.Event()


def worker(n):
    conn = None
    i = n
    while True:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            conn.request("GET", PAGES[i % len(PAGES)], headers={"Cookie": COOKIE})
            response = conn.getresponse()
            body = response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status not in (200, 303, 503) or (response.status == 503 and "正在停止".encode() not in body):
                    unexpected.append((response.status, body[:200]))
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (ConnectionError, http.client.HTTPException, OSError):
            if conn is not None:
                conn.close()
            conn = None
            if stop_sent.is_set():
                return
            time.sleep(0.05)
        i += 1


threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(12)]
for t in threads:
    t.start()
time.sleep(3)
os.kill(PID, signal.SIGTERM)
stop_sent.set()
for t in threads:
    t.join(timeout=60)
print(f"answers by status during the load and the stop: {dict(sorted(statuses.items()))}")
if any(t.is_alive() for t in threads):
    sys.exit("FAIL: the server still answered 60 s after SIGTERM")
if unexpected:
    sys.exit(f"FAIL: unexpected answers: {unexpected[:3]}")
if statuses.get(200, 0) < 12:
    sys.exit("FAIL: the load did not reach the server")
print("ok: stopped under load")
