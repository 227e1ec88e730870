"""Outputs are whole or absent: concurrent writers, Ctrl-C mid-write, broken pipes, stdin."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custseg.cli import main
from custseg.exceptions import OutputError
from custseg.io._write import atomic_output, check_writable, write_table

BIN = Path(sys.executable).parent / "custseg"
COMMAND = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "custseg.cli"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def synthetic_csv(path: Path, n_customers: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    n = n_customers * 3
    ids = rng.integers(0, n_customers, n)
    ids[:n_customers] = np.arange(n_customers)  # every customer has a row
    days = rng.integers(0, 700, n)
    pd.DataFrame({
        "customer_id": [f"c{i:06d}" for i in ids],
        "date": (pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")).strftime(
            "%Y-%m-%d"),
        "amount": np.round(rng.gamma(2.0, 20.0, n), 2),
    }).to_csv(path, index=False)
    return path


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as tmp:
        tmp.write_text("half a ta")
        raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no leftover


def test_interrupted_table_write_leaves_no_file(tmp_path, monkeypatch):
    table = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1000)], "x": range(1000)})

    def to_csv_then_interrupt(self, path, **kwargs):
        Path(path).write_text("customer_id,x\nc0,0\n")  # a partial table, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_table(table, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_the_target_is_checked_before_the_work(tmp_path, capsys):
    log = synthetic_csv(tmp_path / "log.csv", 20, 0)
    start = time.perf_counter()
    code = main(["segment", str(log), "-o", str(tmp_path / "nowhere" / "out.csv")])
    assert code == 2 and time.perf_counter() - start < 5
    assert "folder" in capsys.readouterr().err
    with pytest.raises(OutputError, match="is a folder"):
        check_writable(tmp_path, (".csv",))


def test_two_concurrent_writers_leave_one_whole_file(tmp_path):
    logs = [synthetic_csv(tmp_path / f"log{i}.csv", 800 + 200 * i, i) for i in range(2)]
    out = tmp_path / "out.csv"
    procs = [subprocess.Popen([*COMMAND, "segment", str(log), "-o", str(out), "--drop", "churn",
                               "--drop", "kmeans"], env=ENV, stderr=subprocess.PIPE)
             for log in logs]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    table = pd.read_csv(out)
    assert len(table) in (800, 1000) and table["customer_id"].is_unique  # one run's, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log0.csv", "log1.csv", "out.csv"]


def _interrupt_mid_write(log: Path, out: Path) -> tuple[int, str, bool]:
    """Run segment; send SIGINT the moment its temporary output file (.out.*.csv) appears.

    Returns the exit code, stderr and whether the signal was sent (on a busy machine the
    write can finish between two looks at the folder).
    """
    proc = subprocess.Popen([*COMMAND, "segment", str(log), "-o", str(out), "--drop", "churn",
                             "--drop", "kmeans", "--drop", "tier_rules"],
                            env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    sent = False
    while proc.poll() is None and time.monotonic() < deadline:
        with os.scandir(out.parent) as entries:
            if any(e.name.startswith(".out.") and e.name.endswith(".csv") for e in entries):
                proc.send_signal(signal.SIGINT)
                sent = True
                break
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err, sent


def _interrupted_runs(log: Path, out: Path, previous: str | None) -> None:
    """Interrupt runs until one is stopped mid-write (at most 6 tries); every run leaves
    the previous file (or none) when stopped, or the whole new table when it finished."""
    for _ in range(6):
        if previous is not None:
            out.write_text(previous)
        elif out.exists():
            out.unlink()
        code, err, sent = _interrupt_mid_write(log, out)
        assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []
        if code == 0:  # the write ended before the signal: the new table, whole
            table = pd.read_csv(out)
            assert len(table) == table["customer_id"].nunique() == 10000
            continue
        assert sent and code == 130, (code, err)
        assert "interrupted" in err
        if out.exists() and out.read_text() != previous:  # stopped just after the rename
            table = pd.read_csv(out)
            assert len(table) == table["customer_id"].nunique() == 10000
            continue
        return
    pytest.fail("no run could be interrupted during its write in 6 tries")


def test_sigint_mid_write_never_leaves_a_partial_file(tmp_path):
    log = synthetic_csv(tmp_path / "log.csv", 10000, 1)
    out = tmp_path / "out.csv"
    _interrupted_runs(log, out, previous=None)
    _interrupted_runs(log, out, previous="the previous table\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "out.csv"]


def test_broken_pipe_ends_quietly(tmp_path):
    log = synthetic_csv(tmp_path / "log.csv", 300, 2)
    result = subprocess.run(f"{' '.join(COMMAND)} segment {log} --drop churn | head -n 2",
                            shell=True, capture_output=True, text=True, env=ENV, timeout=300)
    assert result.stdout.count("\n") == 2
    assert result.stderr == ""


def test_stdin(tmp_path, monkeypatch, capsys):
    log = synthetic_csv(tmp_path / "log.csv", 50, 3)

    class Stdin:
        buffer = io.BytesIO(log.read_bytes())

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["segment", "-", "--drop", "churn", "-o", str(tmp_path / "out.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "out.csv")) == 50
