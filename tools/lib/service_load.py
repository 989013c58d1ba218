#!/usr/bin/env python3
"""Load check for tapechangerd: N concurrent clients for S seconds; prints requests/s and latency percentiles.

  service_load.py http SOCKET PATH CLIENTS SECONDS    keep-alive HTTP/1.1 GETs over the Unix socket
  service_load.py exec CLIENTS SECONDS -- ARGV...      one process per request (the CLI, direct or --server)
"""
import asyncio, sys, time


def report(name, lat, errors, seconds):
    lat.sort()
    n = len(lat)
    if n == 0:
        print(f"{name}: no request completed ({errors} errors)")
        return 0.0, float("inf")
    p = lambda q: lat[min(n - 1, int(q * n))] * 1000
    rps = n / seconds
    print(f"{name}: {n} requests in {seconds:.1f} s = {rps:.0f} req/s; latency p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1]*1000:.1f} ms; {errors} errors")
    return rps, p(0.99)


async def http_client(sock, path, deadline, lat, errs):
    reader, writer = await asyncio.open_unix_connection(sock)
    req = f"GET {path} HTTP/1.1\r\nHost: tapechangerd\r\n\r\n".encode()
    while time.monotonic() < deadline:
        t = time.monotonic()
        writer.write(req)
        await writer.drain()
        status = await reader.readline()
        length, chunked = 0, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode().partition(":")
            if k.lower() == "content-length":
                length = int(v)
            elif k.lower() == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await reader.readline()).strip(), 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await reader.readexactly(length)
        if b" 200 " in status:
            lat.append(time.monotonic() - t)
        else:
            errs.append(status)
    writer.close()


async def exec_client(argv, deadline, lat, errs):
    while time.monotonic() < deadline:
        t = time.monotonic()
        p = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        rc = await p.wait()
        if rc == 0:
            lat.append(time.monotonic() - t)
        else:
            errs.append(rc)


async def main():
    mode = sys.argv[1]
    lat, errs = [], []
    if mode == "http":
        sock, path, clients, seconds = sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
        deadline = time.monotonic() + seconds
        start = time.monotonic()
        await asyncio.gather(*(http_client(sock, path, deadline, lat, errs) for _ in range(clients)))
        rps, p99 = report(f"API GET {path}, {clients} clients", lat, len(errs), time.monotonic() - start)
    else:
        clients, seconds = int(sys.argv[2]), float(sys.argv[3])
        argv = sys.argv[sys.argv.index("--") + 1:]
        deadline = time.monotonic() + seconds
        start = time.monotonic()
        await asyncio.gather(*(exec_client(argv, deadline, lat, errs) for _ in range(clients)))
        rps, p99 = report(f"{' '.join(a for a in argv if not a.startswith('/'))[:60]}, {clients} clients", lat, len(errs), time.monotonic() - start)
    print(f"RESULT {rps:.0f} {p99:.1f} {len(errs)}")

asyncio.run(main())
