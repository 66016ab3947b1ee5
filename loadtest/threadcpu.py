#!/usr/bin/env python3
"""CPU of one process by thread over a window, from /proc (user + system time; threads whose names differ only in
digits are one row: 'vert.x-eventloop-thread-0' and '-1' are 'vert.x-eventloop-thread-#').

usage: loadtest/threadcpu.py PID SECONDS
  Prints one line per thread group, "<ms of CPU> <name>", most first (profile.sh --threads divides by requests).
"""
import collections
import os
import re
import sys
import time

if len(sys.argv) < 3:
    sys.exit(__doc__)
pid, secs = sys.argv[1], float(sys.argv[2])
tick = os.sysconf('SC_CLK_TCK')


def snapshot():
    out = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                s = f.read()
        except OSError:
            continue  # the thread ended
        name = s[s.index('(') + 1:s.rindex(')')]
        fields = s[s.rindex(')') + 2:].split()
        out[tid] = (name, int(fields[11]) + int(fields[12]))  # utime + stime, in ticks
    return out


before = snapshot()
time.sleep(secs)  # the measurement window itself
after = snapshot()
groups = collections.Counter()
for tid, (name, ticks) in after.items():
    groups[re.sub(r'\d+', '#', name)] += (ticks - before.get(tid, (name, 0))[1]) * 1000 / tick
for name, ms in groups.most_common():
    if ms > 0:
        print(f'{ms:.0f} {name}')
