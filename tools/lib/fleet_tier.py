#!/usr/bin/env python3
"""Driver of tools/fleet-tier.sh: talks to the services over their Unix sockets.

  fleet_tier.py owners SOCK LIBS TIMEOUT          waits until every library of LIBS (comma list) has an owner; prints LIB=OWNER lines
  fleet_tier.py newowner SOCK LIB OLD TIMEOUT     waits until LIB is owned by another service than OLD; prints the seconds waited
  fleet_tier.py stream OUT SECONDS CLIENTS SOCKS LIBS SLOTS
                                                  CLIENTS threads submit transfers (wait=false) to random services for
                                                  random libraries for SECONDS; every acknowledged request is a JSON line in OUT
  fleet_tier.py submit OUT SOCK LIB N SLOTS       submits N transfers of LIB (SLOTS slots) to one service, as stream does: the
                                                  first from a full slot to an empty one, the others random
  fleet_tier.py cartridges SOCK LIBS              prints {lib: sorted barcodes} as JSON
  fleet_tier.py check SOCKS OUT BEFORE JOURNAL TIMEOUT
                                                  waits until every acknowledged request is final, then checks: each passed or
                                                  failed/cancelled with its reason, cartridges conserved per library, at most one
                                                  Moving journal entry per request, fencing tokens never decreasing per library
"""
import http.client, json, random, socket, sys, threading, time


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("tapechangerd", timeout=30)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.path)


def call(sock, method, path, body=None):
    c = UnixHTTP(sock)
    try:
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        c.close()


def fleet(sock):
    status, body = call(sock, "GET", "/api/v1/fleet")
    if status != 200:
        raise RuntimeError(f"fleet: HTTP {status}: {body}")
    return {l["library"]: l for l in body["libraries"]}


def owners(sock, libs, timeout):
    deadline = time.monotonic() + float(timeout)
    while True:
        try:
            f = fleet(sock)
            if all(f.get(l, {}).get("state") == "Owned" for l in libs.split(",")):
                for l in libs.split(","):
                    print(f"{l}={f[l]['owner']}")
                return 0
        except (OSError, RuntimeError):
            pass
        if time.monotonic() > deadline:
            print(f"owners: not every library owned after {timeout} s", file=sys.stderr)
            return 1
        time.sleep(0.2)


def newowner(sock, lib, old, timeout):
    start = time.monotonic()
    while time.monotonic() - start < float(timeout):
        try:
            l = fleet(sock)[lib]
            if l["state"] == "Owned" and l["owner"] != old:
                print(f"{time.monotonic() - start:.1f}")
                return 0
        except (OSError, RuntimeError):
            pass
        time.sleep(0.1)
    print(f"newowner: {lib} still not taken over after {timeout} s", file=sys.stderr)
    return 1


def stream(out, seconds, clients, socks, libs, slots):
    socks, libs, slots = socks.split(","), libs.split(","), dict(kv.split("=") for kv in slots.split(","))
    deadline = time.monotonic() + float(seconds)
    lock = threading.Lock()
    f = open(out, "a")

    def client(n):
        rnd = random.Random(n)
        while time.monotonic() < deadline:
            lib = rnd.choice(libs)
            a, b = rnd.sample(range(1, int(slots[lib]) + 1), 2)
            sock = rnd.choice(socks)
            try:
                status, body = call(sock, "POST", f"/api/v1/libraries/{lib}/moves", {"kind": "transfer", "slot": a, "toSlot": b, "wait": False})
            except OSError:
                continue                                   # that service is down: not acknowledged, try another
            if status in (200, 201, 202) and body and "id" in body:
                with lock:
                    f.write(json.dumps({"id": body["id"], "library": lib, "via": sock, "from": a, "to": b}) + "\n")
                    f.flush()
            time.sleep(rnd.uniform(0.05, 0.25))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(int(clients))]
    for t in threads: t.start()
    for t in threads: t.join()
    return 0


def submit(out, sock, lib, n, slots):
    """The first transfer goes from a full slot to an empty one (so it reaches the robot); the others are random."""
    rnd = random.Random(7)
    status, body = call(sock, "GET", f"/api/v1/libraries/{lib}/status")
    storage = [e for e in (body.get("status") or {}).get("elements", []) if e.get("type") == "storage" and e.get("slot")]
    full = [e["slot"] for e in storage if e["full"]]
    empty = [e["slot"] for e in storage if not e["full"]]
    if status != 200 or not full or not empty:
        raise RuntimeError(f"{lib}: no full and empty slot to transfer between (HTTP {status})")
    pairs = [(full[0], empty[0])] + [tuple(rnd.sample(range(1, int(slots) + 1), 2)) for _ in range(int(n) - 1)]
    with open(out, "a") as f:
        for a, b in pairs:
            status, body = call(sock, "POST", f"/api/v1/libraries/{lib}/moves", {"kind": "transfer", "slot": a, "toSlot": b, "wait": False})
            if status in (200, 201, 202) and body and "id" in body:
                f.write(json.dumps({"id": body["id"], "library": lib, "via": sock, "from": a, "to": b}) + "\n")
    return 0


def cartridges(sock, libs):
    res = {}
    for lib in libs.split(","):
        status, body = call(sock, "GET", f"/api/v1/libraries/{lib}/status")
        if status != 200:
            raise RuntimeError(f"{lib}: status HTTP {status}: {body}")
        if not body.get("status"):
            raise RuntimeError(f"{lib}: no status ({body.get('problem')})")
        res[lib] = sorted(e.get("barcode") or "?" for e in body["status"]["elements"] if e["full"])
    print(json.dumps(res))
    return 0


def check(socks, out, before, journal, timeout):
    socks = socks.split(",")
    acked = [json.loads(l) for l in open(out) if l.strip()]
    deadline = time.monotonic() + float(timeout)
    final = {}
    while True:
        for r in acked:
            if r["id"] in final: continue
            for s in socks:
                try:
                    status, rec = call(s, "GET", f"/api/v1/requests/{r['id']}")
                except OSError:
                    continue
                if status == 200 and rec["state"] in ("Passed", "Failed", "Cancelled"):
                    final[r["id"]] = rec
                break
        if len(final) == len(acked) or time.monotonic() > deadline: break
        time.sleep(0.3)
    open_ = [r["id"] for r in acked if r["id"] not in final]
    assert not open_, f"{len(open_)} acknowledged requests not final after {timeout} s: {open_[:5]}"
    states = {}
    for rec in final.values():
        states[rec["state"]] = states.get(rec["state"], 0) + 1
        if rec["state"] != "Passed":
            assert rec.get("message"), f"request {rec['id']} ended {rec['state']} without a reason"
    libs = ",".join(json.loads(before).keys())
    for s in socks:
        try:
            import io, contextlib
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf): cartridges(s, libs)
            after = json.loads(buf.getvalue()); break
        except OSError:
            continue
    assert after == json.loads(before), f"cartridges not conserved: before {before}, after {after}"
    rows = [l.split("|") for l in open(journal).read().splitlines() if l]
    moving, last = {}, {}
    for lib, seq, token, req, step in rows:
        if step == "Moving":
            moving[req] = moving.get(req, 0) + 1
        assert int(token) >= last.get(lib, 0), f"{lib}: journal entry {seq} has fencing token {token} after {last[lib]}"
        last[lib] = int(token)
    twice = [r for r, n in moving.items() if n > 1]
    assert not twice, f"requests whose move started twice: {twice}"
    tokens = {lib: sorted({int(t) for l, _, t, _, _ in rows if l == lib}) for lib in last}
    reasons = sorted({(rec.get("message") or "")[:60] for rec in final.values() if rec["state"] != "Passed"})[:6]
    print(f"  {len(acked)} acknowledged requests, all final: {states}; cartridges conserved in {len(last)} libraries; "
          f"{len(rows)} journal entries, one Moving per request, fencing tokens in order {tokens}")
    print(f"  reasons given (sample): {reasons}")
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"owners": owners, "newowner": newowner, "stream": stream, "submit": submit, "cartridges": cartridges, "check": check}[cmd](*args))
