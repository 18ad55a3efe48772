import Benchmark
import Lumbung

let benchmarks: @Sendable () -> Void = {
}
