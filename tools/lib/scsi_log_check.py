#!/usr/bin/env python3
"""Checks a ScsiLog file (tab-separated: start end pid device command status, UTC) written by several processes.

  scsi_log_check.py overlap LOG [PID]           no two MOVE MEDIUMs and no two robot lock holds ("ROBOT LOCK") of
                                                different processes overlap in time, and every MOVE MEDIUM ran while
                                                its process held the robot lock; with PID, both PID and another
                                                process moved
  scsi_log_check.py after LOG FIRST_PID         every MOVE MEDIUM of another process starts after the last one of
                                                FIRST_PID ended (and there is at least one)
"""
import sys
from datetime import datetime


def moves(path, what="MOVE MEDIUM"):
    out = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) != 6:
            sys.exit(f"malformed log line: {line!r}")
        if f[4] == what:
            t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
            out.append((t(f[0]), t(f[1]), int(f[2]), f[5]))
    return out


def main():
    mode, path = sys.argv[1], sys.argv[2]
    ms = moves(path)
    if mode == "overlap":
        holds = moves(path, "ROBOT LOCK")
        for name, items in (("MOVE MEDIUM", ms), ("robot lock hold", holds)):
            items.sort()
            latest = None                 # (end, pid) of the one ending last so far
            for start, end, pid, status in items:
                if latest and start < latest[0] and pid != latest[1]:
                    sys.exit(f"{name} of pid {pid} at {start.time()} overlaps one of pid {latest[1]} ending {latest[0].time()}")
                if not latest or end > latest[0]:
                    latest = (end, pid)
        for start, end, pid, status in ms:
            if not any(h[2] == pid and h[0] <= start and end <= h[1] for h in holds):
                sys.exit(f"MOVE MEDIUM of pid {pid} at {start.time()} ran without the robot lock")
        pids = {m[2] for m in ms}
        if len(sys.argv) > 3:
            svc = int(sys.argv[3])
            mine = sum(m[2] == svc for m in ms)
            if mine == 0 or mine == len(ms):
                sys.exit(f"not both pid {svc} and other processes moved: {mine} of {len(ms)} MOVE MEDIUMs from pid {svc}")
            print(f"{len(ms)} MOVE MEDIUMs: {mine} from pid {svc}, {len(ms) - mine} from {len(pids) - 1} other processes; {len(holds)} robot lock holds")
        else:
            print(f"{len(ms)} MOVE MEDIUMs from {len(pids)} processes; {len(holds)} robot lock holds")
    elif mode == "after":
        first = int(sys.argv[3])
        a = [m for m in ms if m[2] == first]
        b = [m for m in ms if m[2] != first]
        if not a or not b:
            sys.exit(f"no MOVE MEDIUM of {'pid ' + str(first) if not a else 'another process'} in the log")
        later = b[0][2]
        last_end = max(m[1] for m in a)
        first_start = min(m[0] for m in b)
        if first_start < last_end:
            sys.exit(f"pid {later}'s MOVE MEDIUM at {first_start.time()} began before pid {first}'s last ended ({last_end.time()})")
        print(f"pid {first}: {len(a)} MOVE MEDIUM ({sum(m[3] == 'Busy' for m in a)} answered BUSY), the last ending {last_end.time()}; "
              f"pid {later}'s first began {first_start.time()}")
    else:
        sys.exit(__doc__)


main()
