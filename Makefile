# Lumbung: the two set-up commands of the README, and the benchmark run.
.PHONY: setup setup-test demo test bench

setup:
	tools/setup.sh

# The build's needs, and the real peers the tests start (LibreOffice, PostgreSQL, schemathesis,
# DuckDB, headless Chromium with Selenium for the console).
setup-test:
	tools/setup.sh test

# The main job: generate a kabupaten into ./lumbung-data, then stats and lookups.
demo: setup
	tools/demo.sh

# The whole suite takes about a minute; a hang is cut off at 30 minutes so CI reports it.
test: setup-test
	swift build --build-tests
	timeout --kill-after=30s 30m swift test --skip-build

bench: setup
	tools/bench.sh
