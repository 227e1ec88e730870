"""Benchmark: what starting custseg costs.

Prints, in one run, the best of ``--repeat`` fresh processes for:

* ``custseg --version`` and ``custseg --help`` (floor: under 1 s each; they need no
  scikit-learn),
* ``import custseg`` beside ``import sklearn.base`` (floor: at most 1.3x),
* the first use of ``custseg.rfm`` (the feature stage) and of the pipeline, for
  information, with the heavy libraries each one loaded.

Public names of ``custseg`` are imported on first use (module ``__getattr__``), so
each command pays only for what it uses.

Usage: ``python benchmarks/bench_startup.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("sklearn", "scipy", "matplotlib", "skops", "pyspark", "duckdb")


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def loaded(code: str) -> str:
    probe = (f"import sys; {code}; print(','.join(sorted({{m.split('.')[0] for m in "
             f"sys.modules}} & {set(HEAVY)!r})) or '-')")
    return subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    exe = shutil.which("custseg") or str(Path(sys.executable).with_name("custseg"))
    py = sys.executable
    rows = []
    for label, cmd in [("custseg --version", [exe, "--version"]),
                       ("custseg --help", [exe, "--help"])]:
        t = best(cmd, args.repeat)
        rows.append((label, t, f"floor < 1 s: {'met' if t < 1.0 else 'NOT met'}"))
    base = best([py, "-c", "import sklearn.base"], args.repeat)
    imp = best([py, "-c", "import custseg"], args.repeat)
    rows.append(("import sklearn.base", base, "baseline"))
    rows.append(("import custseg", imp, f"{imp / base:.2f}x sklearn.base (floor <= 1.3x: "
                 f"{'met' if imp <= 1.3 * base else 'NOT met'})"))
    for label, code in [("custseg.rfm (first use)", "import custseg; custseg.rfm"),
                        ("custseg.CustomerSegmentation", "import custseg; "
                         "custseg.CustomerSegmentation")]:
        t = best([py, "-c", code], args.repeat)
        rows.append((label, t, f"loads: {loaded(code)}"))
    print(f"startup, best of {args.repeat} fresh processes")
    for label, t, note in rows:
        print(f"  {label:<30} {t:6.3f} s  {note}")


if __name__ == "__main__":
    main()
