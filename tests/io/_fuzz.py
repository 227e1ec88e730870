"""Mutated transaction files for the boundary fuzz tests (tests/io/test_fuzz.py and
benchmarks/bench_fuzz.py).

A valid log is written as CSV, then mutated the ways real files go wrong: bytes
flipped, dropped or repeated, a field replaced by a troublesome token, the header
changed, the separator or line ends swapped, the file truncated, compressed or
re-encoded. Each mutated file is read with :func:`custseg.io.read_transactions`
and segmented; the only acceptable failures are custseg errors, and a result must
hold every customer of the file once.
"""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from custseg.exceptions import CustsegError
from custseg.features import customer_features
from custseg.io import read_transactions
from custseg.pipeline import CustomerSegmentation

TOKENS = ["", "NA", "None", "null", "nan", "NaN", "inf", "-inf", "1e400", "-0", "0", "1,5",
          "1/2/2024", "2024-13-01", "2024-02-30", "2024-01-01T10:00:00+01:00",
          "2024-01-01Z", "9999-12-31", "0001-01-01", "1970-01-01", "\"", "\"\"", ";", ",",
          "\t", "|", "\x00", "é", "∞", "\ufeff", "   ", "true", "[]", "{}", "__amt", "tier",
          "row", "amount", "customer_id", "1" * 30, "-99999999999999", "0.000000001"]
RESERVED = ["tier", "frequency", "__cid", "row", "amount", "date", "", "customer_id "]


def base_log(rng: np.random.Generator) -> bytes:
    n_customers = int(rng.integers(1, 12))
    n = int(rng.integers(n_customers, 4 * n_customers + 2))
    ids = rng.integers(0, n_customers, n)
    days = rng.integers(0, 400, n)
    amounts = np.round(rng.gamma(2.0, 15.0, n), 2)
    amounts[rng.random(n) < 0.1] *= -1
    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in ids],
        "date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D")).strftime(
            "%Y-%m-%d"),
        "amount": amounts,
    })
    return frame.to_csv(index=False).encode()


def _flip(data: bytes, rng: np.random.Generator) -> bytes:
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        buf[int(rng.integers(len(buf)))] = int(rng.integers(256))
    return bytes(buf)


def _drop(data: bytes, rng: np.random.Generator) -> bytes:
    start = int(rng.integers(len(data)))
    return data[:start] + data[start + int(rng.integers(1, 20)):]


def _repeat(data: bytes, rng: np.random.Generator) -> bytes:
    start = int(rng.integers(len(data)))
    return data[:start] + data[start:start + int(rng.integers(1, 40))] * 2 + data[start:]


def _token(data: bytes, rng: np.random.Generator) -> bytes:
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    row = int(rng.integers(len(lines)))
    fields = lines[row].split(",")
    fields[int(rng.integers(len(fields)))] = str(rng.choice(TOKENS))
    lines[row] = ",".join(fields)
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _header(data: bytes, rng: np.random.Generator) -> bytes:
    head, _, rest = data.partition(b"\n")
    names = head.decode("utf-8", "surrogateescape").split(",")
    names[int(rng.integers(len(names)))] = str(rng.choice(RESERVED))
    return ",".join(names).encode("utf-8", "surrogateescape") + b"\n" + rest


def _separator(data: bytes, rng: np.random.Generator) -> bytes:
    return data.replace(b",", str(rng.choice([";", "\t", "|", " "])).encode())


def _line_ends(data: bytes, rng: np.random.Generator) -> bytes:
    return data.replace(b"\n", b"\r\n" if rng.random() < 0.5 else b"\r")


def _truncate(data: bytes, rng: np.random.Generator) -> bytes:
    return data[: int(rng.integers(len(data)))]


def _gzip(data: bytes, rng: np.random.Generator) -> bytes:
    packed = gzip.compress(data, mtime=0)  # no clock in the header: the same seed, the same run
    return packed if rng.random() < 0.5 else packed[: int(rng.integers(1, len(packed)))]


def _utf16(data: bytes, rng: np.random.Generator) -> bytes:
    text = data.decode("utf-8", errors="replace")
    return text.encode("utf-16" if rng.random() < 0.5 else "utf-16-le")


def _latin1(data: bytes, rng: np.random.Generator) -> bytes:
    return data.replace(b"c", "é".encode("latin-1"), int(rng.integers(1, 5)))


MUTATIONS: list[Callable[[bytes, np.random.Generator], bytes]] = [
    _flip, _drop, _repeat, _token, _token, _token, _header, _separator, _line_ends,
    _truncate, _gzip, _utf16, _latin1,
]


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    for _ in range(int(rng.integers(1, 4))):
        if not data:
            break
        data = MUTATIONS[int(rng.integers(len(MUTATIONS)))](data, rng)
    return data


@dataclass
class Tally:
    """Outcomes of a fuzz run: ok, custseg errors, and the failures (anything else)."""

    ok: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.ok + self.refused + len(self.failures)


def run_one(path: Path, full: bool) -> None:
    """Read and segment one file (``full``: the whole pipeline, else the features)."""
    log = read_transactions(path)
    ids = log["customer_id"] if "customer_id" in log.columns else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings are allowed; exceptions are judged
        if full:
            table = CustomerSegmentation(random_state=0).fit(log).predict(log)
        else:
            table = customer_features(log)
    if ids is not None and len(table) != ids.nunique():
        raise AssertionError(f"{ids.nunique()} customers in, {len(table)} rows out")


def fuzz(n: int, seed: int, folder: Path, full_every: int = 10,
         budget_seconds: float | None = None) -> Tally:
    """Run ``n`` mutated logs (fewer if the time budget runs out); return the tally."""
    import time

    rng = np.random.default_rng(seed)
    tally = Tally()
    start = time.perf_counter()
    for i in range(n):
        if budget_seconds is not None and time.perf_counter() - start > budget_seconds:
            break
        data = mutate(base_log(rng), rng)
        path = folder / f"fuzz{i % 4}.csv"
        path.write_bytes(data)
        try:
            run_one(path, full=(i % full_every == 0))
        except CustsegError:
            tally.refused += 1
        except Exception as err:  # the fuzz test judges every other failure
            tally.failures.append(f"#{i} {type(err).__module__}.{type(err).__name__}: {err}"[:300])
        else:
            tally.ok += 1
    return tally
