#!/usr/bin/env python3
"""National roll-up over many kabupaten's `lumbung snapshot export` packages, with DuckDB.

    python3 tools/national/national.py PACKAGE_DIR... [--json] [--query by_status] [--no-verify]

Each PACKAGE_DIR is what `lumbung snapshot export PERIOD --out DIR` wrote (dtks-PERIOD.csv.zst,
manifest.json, SHA256SUMS). The packages' SHA256SUMS are checked first (--no-verify skips it),
then 00_views.sql defines the views over every package's CSV.zst, read directly, and each other
*.sql file in this directory (or those named by --query) runs. Output: one table per query, or
with --json one object {query: [{column: value}]}. Needs the duckdb wheel (pip install duckdb).
"""
import argparse
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def verify(package):
    """Checks SHA256SUMS like `sha256sum -c`; exits 5 on a mismatch."""
    sums = os.path.join(package, "SHA256SUMS")
    with open(sums) as handle:
        for line in handle:
            digest, name = line.rstrip("\n").split("  ", 1)
            sha = hashlib.sha256()
            with open(os.path.join(package, name), "rb") as data:
                for block in iter(lambda: data.read(1 << 20), b""):
                    sha.update(block)
            if sha.hexdigest() != digest:
                sys.exit(f"error: {package}/{name} does not match SHA256SUMS")


def csv_file(package):
    files = sorted(glob.glob(os.path.join(package, "dtks-*.csv.zst")))
    if len(files) != 1:
        sys.exit(f"error: {package} holds {len(files)} dtks-*.csv.zst files; a package holds one")
    return files[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("packages", nargs="+", help="snapshot export directories")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--query", action="append", help="run only this query (file name without .sql)")
    parser.add_argument("--no-verify", action="store_true", help="skip the SHA256SUMS check")
    args = parser.parse_args()

    try:
        import duckdb
    except ImportError:
        sys.exit("error: the duckdb module is missing: pip install duckdb")

    if not args.no_verify:
        for package in args.packages:
            verify(package)
    files = [csv_file(package) for package in args.packages]
    listing = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"

    connection = duckdb.connect()
    with open(os.path.join(HERE, "00_views.sql")) as handle:
        connection.execute(handle.read().replace("{files}", listing))

    names = args.query or sorted(
        os.path.basename(p)[:-4] for p in glob.glob(os.path.join(HERE, "*.sql")) if not os.path.basename(p).startswith("00_"))
    results = {}
    for name in names:
        with open(os.path.join(HERE, name + ".sql")) as handle:
            cursor = connection.execute(handle.read())
        columns = [d[0] for d in cursor.description]
        results[name] = [dict(zip(columns, row)) for row in cursor.fetchall()]

    if args.json:
        json.dump(results, sys.stdout, indent=1, default=str)
        print()
        return
    for name, rows in results.items():
        print(f"== {name} ({len(rows)} rows)")
        if rows:
            columns = list(rows[0])
            print("\t".join(columns))
            for row in rows:
                print("\t".join("" if row[c] is None else str(row[c]) for c in columns))
        print()


if __name__ == "__main__":
    main()
