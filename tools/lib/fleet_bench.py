#!/usr/bin/env python3
"""Measurements of tools/fleet-bench.sh (services on Unix sockets; see fleet_tier.py for the client).

  fleet_bench.py leased SOCK COUNT TIMEOUT        seconds until COUNT libraries are owned; prints "SECONDS OWNERS-JSON"
  fleet_bench.py takeover SOCK DEAD TIMEOUT       seconds until no library is owned by DEAD any more (all taken over)
  fleet_bench.py throughput SOCKS LIBS ROUNDS CLIENTS
                                                  each library gets ROUNDS pairs of transfers (slot 1 -> 25, 25 -> 1), sent
                                                  by CLIENTS threads to random services with wait=false; prints requests/s
                                                  from the first submission until the last one is final, and latencies
"""
import json, random, sys, threading, time
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fleet_tier import call, fleet


def leased(sock, count, timeout):
    start = time.monotonic()
    while time.monotonic() - start < float(timeout):
        try:
            f = fleet(sock)
            owned = [l for l in f.values() if l["state"] == "Owned"]
            if len(owned) >= int(count):
                by = {}
                for l in owned: by[l["owner"]] = by.get(l["owner"], 0) + 1
                print(f"{time.monotonic() - start:.1f} {json.dumps(by, sort_keys=True)}")
                return 0
        except (OSError, RuntimeError):
            pass
        time.sleep(0.2)
    return 1


def takeover(sock, dead, timeout):
    start = time.monotonic()
    while time.monotonic() - start < float(timeout):
        try:
            f = fleet(sock)
            if all(l["state"] == "Owned" and l["owner"] != dead for l in f.values()):
                print(f"{time.monotonic() - start:.1f}")
                return 0
        except (OSError, RuntimeError):
            pass
        time.sleep(0.1)
    return 1


def throughput(socks, libs, rounds, clients):
    socks, libs = socks.split(","), libs.split(",")
    work = [(lib, a, b) for lib in libs for _ in range(int(rounds)) for a, b in ((1, 25), (25, 1))]
    # Per library in order (the pair must run in order); libraries interleaved among the clients.
    queues = [[w for w in work if libs.index(w[0]) % int(clients) == c] for c in range(int(clients))]
    ids, lock = [], threading.Lock()
    submit_lat = []
    start = time.monotonic()

    def client(q):
        rnd = random.Random(len(q))
        for lib, a, b in q:
            t = time.monotonic()
            status, body = call(rnd.choice(socks), "POST", f"/api/v1/libraries/{lib}/moves", {"kind": "transfer", "slot": a, "toSlot": b, "wait": False})
            with lock:
                submit_lat.append(time.monotonic() - t)
                if status == 202: ids.append((body["id"], t))
    threads = [threading.Thread(target=client, args=(q,)) for q in queues]
    for t in threads: t.start()
    for t in threads: t.join()
    submitted = time.monotonic()
    pending = dict(ids)
    done_lat, states = [], {}
    while pending:
        for rid in list(pending):
            status, rec = call(socks[0], "GET", f"/api/v1/requests/{rid}")
            if status == 200 and rec["state"] in ("Passed", "Failed", "Cancelled"):
                states[rec["state"]] = states.get(rec["state"], 0) + 1
                done_lat.append(time.monotonic() - pending.pop(rid))
        if time.monotonic() - start > 600: break
        time.sleep(0.2)
    end = time.monotonic()
    submit_lat.sort(); done_lat.sort()
    p = lambda l, q: l[min(len(l) - 1, int(q * len(l)))] * 1000 if l else float("nan")
    print(f"{len(work)} transfers on {len(libs)} libraries: submitted in {submitted - start:.1f} s "
          f"(submit p50 {p(submit_lat, .5):.0f} ms, p99 {p(submit_lat, .99):.0f} ms); all final after {end - start:.1f} s "
          f"= {len(work) / (end - start):.1f} requests/s; {states}; submit-to-final p50 {p(done_lat, .5)/1000:.1f} s "
          f"(upper bound: the poll of final states adds up to a pass over the pending list)")
    return 0 if not pending and states.get("Passed", 0) == len(work) else 1


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"leased": leased, "takeover": takeover, "throughput": throughput}[cmd](*args))
