import tracemalloc

import pytest


@pytest.fixture
def measured(benchmark):
    """`measured(fn, *args)`: benchmarks `fn(*args)` and records the peak memory one call allocates
    (tracemalloc) in `extra_info["peak_memory_bytes"]`, which Headroom imports as
    `<test>.peak_memory` and checks against the capability's `max_memory_mb`."""

    def run(fn, *args):
        tracemalloc.start()
        fn(*args)
        benchmark.extra_info["peak_memory_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return benchmark(fn, *args)

    return run
