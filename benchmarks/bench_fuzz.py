"""Boundary fuzz, the long run: mutated transaction files give a result or a custseg error.

Each of at least 2,000 valid synthetic logs is mutated (bytes flipped, dropped or
repeated, troublesome tokens in fields, header renamed to reserved or duplicate
names, separators and line ends swapped, truncation, gzip, UTF-16, Latin-1; see
tests/io/_fuzz.py), then read with ``read_transactions`` and segmented (the whole
pipeline for one log in ten, the customer features for the others). The floors:
zero failures that are not custseg errors, over at least 2,000 logs; every result
holds each customer of its file once.

Run: ``flock /tmp/custseg-heavy.lock .venv/bin/python benchmarks/bench_fuzz.py [N]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.io._fuzz import fuzz

FLOOR_LOGS = 2000
FLOOR_FAILURES = 0
SEED = 11


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2500
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tally = fuzz(n, seed=SEED, folder=Path(folder), full_every=10)
    seconds = time.perf_counter() - start
    print(f"mutated logs run:        {tally.total:6d}   (floor >= {FLOOR_LOGS})")
    print(f"  results, every customer kept: {tally.ok}")
    print(f"  refused with a custseg error: {tally.refused}")
    print(f"other failures:          {len(tally.failures):6d}   (floor == {FLOOR_FAILURES})")
    for kind, count in Counter(f.split(":")[0].split(" ", 1)[1]
                               for f in tally.failures).most_common():
        print(f"  {count:5d} {kind}")
    for failure in tally.failures[:10]:
        print(f"  e.g. {failure}")
    print(f"time: {seconds:.0f} s ({1000 * seconds / max(tally.total, 1):.0f} ms per log)")
    ok = tally.total >= FLOOR_LOGS and len(tally.failures) <= FLOOR_FAILURES
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
