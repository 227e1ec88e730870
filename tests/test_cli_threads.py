"""``custseg --threads N`` reaches the numeric runtimes that load inside the command."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from custseg import cli

def probe(args, progress, out):
    import numpy  # noqa: F401  (loaded by the command, as the real commands do)
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_info
    print(json.dumps(sorted({i["internal_api"]: i["num_threads"]
                             for i in threadpool_info()}.items())), file=out)
    return 0

cli._COMMANDS["demo"] = probe
sys.exit(cli.main(["--threads", "1", "demo"]))
"""


def test_threads_limit_the_runtimes_a_command_loads():
    # A fresh interpreter: numpy, OpenMP and BLAS load inside the command, as in real use.
    env = {"PATH": "/usr/bin:/bin"}  # no OMP_NUM_THREADS of the caller's
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, check=True)
    counts = dict(json.loads(done.stdout))
    assert counts, "no OpenMP or BLAS runtime found"
    assert set(counts.values()) == {1}, counts
