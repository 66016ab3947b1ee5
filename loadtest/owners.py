#!/usr/bin/env python3
"""CPU per request by 'owner': each sample of a collapsed profile (profile.sh's profile.collapsed) given to its
deepest Tollgate frame, library and kernel code below it included; samples with no Tollgate frame are named by
their thread (event loop or other). The three leaf categories that take most of each owner's time are shown.

usage: loadtest/owners.py loadtest/out/profile-*/profile.collapsed REQUESTS [TOP]
  REQUESTS: the requests (or relayed events) of the profiled window, as profile.sh prints them.
"""
import collections
import re
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
path, requests = sys.argv[1], float(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
owned = collections.Counter()
leaves = collections.defaultdict(collections.Counter)
total = 0
for line in open(path):
    stack, n = line.rstrip().rsplit(' ', 1)
    n = int(n)
    total += n
    frames = stack.split(';')
    owner = None
    for f in frames:
        if f.startswith('dev/tollgate/') and '$$Lambda' not in f:
            owner = f
    if owner is None:
        owner = '(no Tollgate frame) ' + ('event loop' if any('EpollIoHandler' in f for f in frames) else frames[0][:60])
    leaf = frames[-1]
    if leaf.endswith('_[k]') or re.match(r'^(entry_SYSCALL|do_syscall)', leaf):
        kind = 'kernel'
    elif '/' in leaf and not leaf.startswith('/'):
        kind = leaf.split('/')[0]
    else:
        kind = 'native'
    owned[owner] += n
    leaves[owner][kind] += n
# profile.sh samples at 1 ms of CPU: samples x 1000 / requests = CPU µs per request
print(f"{total * 1000 / requests:7.1f} µs/request in all ({total} samples over {requests:.0f} requests)")
for owner, n in owned.most_common(top):
    kinds = ', '.join(f"{k} {v * 100 / n:.0f}%" for k, v in leaves[owner].most_common(3))
    print(f"{n * 1000 / requests:7.1f} µs/request {n * 100 / total:5.1f}%  {owner[:100]}  [{kinds}]")
