# Lumbung: the two set-up commands of the README, and the benchmark run.
.PHONY: setup demo test bench

setup:
	tools/setup.sh

# The main job: generate a kabupaten into ./lumbung-data, then stats and lookups.
demo: setup
	tools/demo.sh

test: setup
	swift build --build-tests
	swift test --skip-build

bench: setup
	tools/bench.sh
