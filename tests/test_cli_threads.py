"""``custseg --threads N`` reaches the numeric runtimes; without it custseg sets no threads."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, os, sys
from custseg import cli

def probe(args, progress, out):
    import numpy  # noqa: F401  (loaded by the command, as the real commands do)
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_info
    counts = sorted({i["internal_api"]: i["num_threads"] for i in threadpool_info()}.items())
    env = {k: os.environ.get(k) for k in cli._THREAD_VARS}
    print(json.dumps({"counts": counts, "env": env}), file=out)
    return 0

cli._COMMANDS["demo"] = probe
sys.exit(cli.main([*sys.argv[1:], "demo"]))
"""

PLAIN = """
import json
import numpy  # noqa: F401
import sklearn.ensemble  # noqa: F401
from threadpoolctl import threadpool_info
print(json.dumps(sorted({i["internal_api"]: i["num_threads"] for i in threadpool_info()}.items())))
"""

ENV = {"PATH": "/usr/bin:/bin"}  # a fresh interpreter with no OMP_NUM_THREADS of the caller's


def run_probe(*flags: str) -> dict:
    # numpy, OpenMP and BLAS load inside the command, as in real use.
    done = subprocess.run([sys.executable, "-c", PROBE, *flags], capture_output=True,
                          text=True, env=ENV, check=True)
    return json.loads(done.stdout)


def test_threads_limit_the_runtimes_a_command_loads():
    seen = run_probe("--threads", "1")
    counts = dict(seen["counts"])
    assert counts, "no OpenMP or BLAS runtime found"
    assert set(counts.values()) == {1}, counts
    assert set(seen["env"].values()) == {"1"}, seen["env"]


def test_without_threads_the_runtimes_keep_their_own_choice():
    seen = run_probe()
    plain = subprocess.run([sys.executable, "-c", PLAIN], capture_output=True, text=True,
                           env=ENV, check=True)
    assert seen["counts"] == json.loads(plain.stdout)
    assert set(seen["env"].values()) == {None}, seen["env"]
