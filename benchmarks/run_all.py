"""Run every benchmarks/bench_*.py in turn, each in its own process, and print its table.

    python benchmarks/run_all.py [extra arguments passed to every benchmark]

Benchmarks report and never assert, so the exit status is non-zero only when a benchmark
script itself crashed (non-zero exit), which is listed at the end.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None):
    extra = list(sys.argv[1:] if argv is None else argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print(f"run_all: no bench_*.py in {HERE}")
        return 0
    crashed = []
    for script in scripts:
        print(f"==== {script.name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script), *extra], cwd=HERE.parent)
        elapsed = time.perf_counter() - start
        print(f"==== {script.name}: exit {proc.returncode}, {elapsed:.1f} s\n", flush=True)
        if proc.returncode != 0:
            crashed.append(script.name)
    if crashed:
        print(f"run_all: {len(crashed)} benchmark(s) crashed: {', '.join(crashed)}")
        return 1
    print(f"run_all: {len(scripts)} benchmark(s) done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
