# Lumbung: the two set-up commands of the README, and the benchmark run.
.PHONY: setup demo test bench

setup:
	tools/setup.sh

# The main job: generate a kabupaten into ./lumbung-data, then stats and lookups.
demo: setup
	tools/demo.sh

# The whole suite takes about a minute; a hang is cut off at 30 minutes so CI reports it.
test: setup
	swift build --build-tests
	timeout --kill-after=30s 30m swift test --skip-build

bench: setup
	tools/bench.sh
