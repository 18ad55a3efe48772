#!/usr/bin/env python3
"""Writes COUNT households of a store, each with a changed desil and address, as JSON Lines for
`lumbung import --match-by id --on-existing update` (the bench scripts' "1% changed").

    tools/change-households.py LUMBUNG STORE COUNT OUT.jsonl
"""
import json
import subprocess
import sys

lumbung, store, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
written = 0
cursor = None
with open(out, "w") as f:
    while written < count:
        args = [lumbung, "find", "--store", store, "--json", "--limit", str(min(10000, count - written))]
        if cursor:
            args += ["--cursor", cursor]
        run = subprocess.run(args, capture_output=True, text=True, check=True)
        for line in run.stdout.splitlines():
            h = json.loads(line)
            h["desil"] = (h.get("desil") or 1) % 10 + 1
            h["alamat"] = "Jl. Perubahan " + str(h["id"])
            f.write(json.dumps(h, ensure_ascii=False) + "\n")
            written += 1
        cursor = next((l.split(": ", 1)[1] for l in run.stderr.splitlines() if l.startswith("next cursor: ")), None)
        if not cursor:
            break
print(f"changing {written} households")
