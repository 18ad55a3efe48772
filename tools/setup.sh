#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build Lumbung: liblmdb-dev and libzstd-dev (the C
# libraries), zlib1g-dev (ZIPFoundation, .xlsx), libjemalloc-dev (the CLI's malloc), pkg-config, and
# the zstd and lmdb-utils tools. `tools/setup.sh test` (make test) adds the real peers the tests
# start: LibreOffice Calc, headless (.xlsx), PostgreSQL 15 (publish), Chromium and its driver (the
# console's browser tests), and from PyPI, pinned, schemathesis (the OpenAPI test), DuckDB (the
# national query set) and Selenium (the console's browser tests).
set -euo pipefail
need=()
pkg-config --exists lmdb 2>/dev/null || need+=(liblmdb-dev)
pkg-config --exists libzstd 2>/dev/null || need+=(libzstd-dev)
pkg-config --exists jemalloc 2>/dev/null || need+=(libjemalloc-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v zstd >/dev/null || need+=(zstd)
command -v mdb_stat >/dev/null || need+=(lmdb-utils)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
if [ "${1:-}" = test ]; then
  command -v libreoffice >/dev/null || need+=(libreoffice-calc-nogui)
  # PostgreSQL 15's initdb/postgres, for the publish tests' throwaway cluster.
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
  # Headless Chromium and chromedriver for ConsoleBrowserTests (tools/console-browser-test.py).
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "${1:-}" = test ] || exit 0
# schemathesis (PyPI), which SchemathesisTests runs against the served /openapi.yaml.
if ! schemathesis --version 2>/dev/null | grep -q "4.32.5"; then
  echo "setup: installing schemathesis 4.32.5" >&2
  python3 -m pip install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
# DuckDB (PyPI), which NationalTests runs tools/national's query set with.
if ! python3 -c 'import duckdb, sys; sys.exit(duckdb.__version__ != "2.0.1")' 2>/dev/null; then
  echo "setup: installing duckdb 2.0.1" >&2
  python3 -m pip install --quiet --disable-pip-version-check duckdb==2.0.1
fi
# Selenium (PyPI), which ConsoleBrowserTests drives Chromium with; the driver is apt's, so
# Selenium Manager downloads nothing.
if ! python3 -c 'import selenium, sys; sys.exit(selenium.__version__ != "4.51.0")' 2>/dev/null; then
  echo "setup: installing selenium 4.51.0" >&2
  python3 -m pip install --quiet --disable-pip-version-check selenium==4.51.0
fi
