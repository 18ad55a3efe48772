#!/usr/bin/env python3
# How full an LMDB file's pages are, by kind: reads each page's header (flags, lower/upper) and
# counts branch, leaf, DUPFIXED leaf pages by entry width (the sub-databases `mdb_stat` does not
# show for DUPSORT indexes) and overflow pages. Read-only; 4 KiB pages.
#
#   tools/store-pages.py STORE/data.mdb
import mmap, struct, sys, collections
path = sys.argv[1]; ps = 4096
f = open(path, 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
n = len(m) // ps
last = int(sys.argv[2]) if len(sys.argv) > 2 else n
kinds = collections.Counter(); used = collections.Counter()
p = 2
while p < min(n, last):
    off = p * ps
    pad, flags, lower, upper = struct.unpack_from('<HHHH', m, off + 8)
    if flags & 0x04:  # overflow
        pages = struct.unpack_from('<I', m, off + 12)[0]
        kinds['overflow'] += pages; p += max(pages, 1); continue
    if flags & 0x20:  # LEAF2
        k = 'leaf2/%d' % pad; kinds[k] += 1; used[k] += ((lower - 16) >> 1) * pad
    elif flags & 0x01:
        kinds['branch'] += 1; used['branch'] += ps - 16 - (upper - lower)
    elif flags & 0x02:
        kinds['leaf'] += 1; used['leaf'] += ps - 16 - (upper - lower)
    else:
        kinds['other/%x' % flags] += 1
    p += 1
for k, c in sorted(kinds.items()):
    u = used.get(k, 0)
    print(f"{k:12} {c:10} pages {c*ps/1e9:7.2f} GB  fill {u/(c*(ps-16)) if u else 0:.2f}")
