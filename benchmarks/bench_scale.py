"""Benchmark: custseg from 10M to 100M transactions, on polars and on Spark.

For each size (synthetic: 10 rows per customer, second-resolution timestamps over
two years, amounts in cents; generated once as parquet under ``benchmarks/_cache``)
it prints, in one run, the wall time and peak resident memory of a fresh process
that reads the parquet file lazily (``polars.scan_parquet``) and computes:

* ``custseg.rfm``, ``custseg.btyd_summary`` and ``custseg.customer_features``
  (the lazy result collected with polars' streaming engine),
* ``custseg segment FILE -o OUT.parquet`` (the whole pipeline, command line),
* a hand-written polars query computing the same RFM table (the baseline),
* lifetimes' ``summary_data_from_transaction_data`` where it can run (pandas < 3:
  ``make bench`` builds ``benchmarks/_cache/lifetimes-venv``; skipped above
  ``--lifetimes-max-rows``),
* at 10M rows, ``custseg.customer_features`` on a local Spark session
  (``local[2]``, reading the same parquet file; time only, the JVM's memory is
  outside this process).

Floors (issue #12): in the same run, ``rfm`` at most 1.0x the polars query;
``btyd_summary`` and ``customer_features`` each at most 1.5x ``rfm``; lifetimes at
least 6x slower than ``btyd_summary``; peak RSS at 10M rows at most 0.9 GB
(``rfm``) and 1.2 GB (``customer_features``); at 100M rows ``customer_features``
at most 6 GB.

Run it under ``flock /tmp/custseg-heavy.lock``. Usage:
``python benchmarks/bench_scale.py [--rows 10000000 30000000 100000000] [--no-segment]
[--only rfm customer_features ...]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / "_cache"
OBS = "2023-12-31"
ROWS_PER_CUSTOMER = 10


def make_data(rows: int) -> Path:
    """Write (once) ``rows`` synthetic transactions as parquet, in chunks of 10M rows."""
    path = CACHE / f"scale_{rows}.parquet"
    if path.exists():
        return path
    import numpy as np
    import polars as pl
    import pyarrow.parquet as pq

    CACHE.mkdir(exist_ok=True)
    customers = rows // ROWS_PER_CUSTOMER
    start = np.datetime64("2022-01-01T00:00:00", "s")
    span = 2 * 365 * 86400
    rng = np.random.default_rng(0)
    chunk = 10_000_000
    tmp = path.with_suffix(".tmp")
    writer = None
    t0 = time.perf_counter()
    for lo in range(0, rows, chunk):
        n = min(chunk, rows - lo)
        # Row i belongs to customer i // 10: every customer has exactly 10 rows.
        ids = (np.arange(lo, lo + n) // ROWS_PER_CUSTOMER).astype(np.int64)
        secs = rng.integers(0, span, n)
        cents = np.round(rng.lognormal(3.0, 0.8, n) * 100)
        frame = pl.DataFrame({
            "customer_id": ids,
            "date": (start + secs.astype("timedelta64[s]")).astype("datetime64[us]"),
            "amount": cents / 100.0,
        })
        table = frame.to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    print(f"generated {rows:,} rows for {customers:,} customers in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    return path


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _polars_query(path: str) -> int:
    import polars as pl

    obs = pl.lit(OBS).str.to_datetime(time_unit="us")
    day = pl.col("date").dt.truncate("1d")
    out = (
        pl.scan_parquet(path)
        .group_by("customer_id")
        .agg(
            day.n_unique().alias("frequency"),
            day.min().alias("first_purchase"),
            day.max().alias("last_purchase"),
            pl.col("amount").sum().alias("monetary_total"),
        )
        .with_columns(
            (obs - pl.col("last_purchase")).dt.total_days().alias("recency_days"),
            (obs - pl.col("first_purchase")).dt.total_days().alias("tenure_days"),
            (pl.col("monetary_total") / pl.col("frequency")).alias("monetary_mean"),
        )
        .sort("customer_id")
        .collect(engine="streaming")
    )
    return out.height


def _spark_features(path: str) -> int:
    from pyspark.sql import SparkSession

    import custseg

    spark = (SparkSession.builder.master("local[2]").appName("bench_scale")
             .config("spark.driver.memory", "6g").config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "8").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        log = spark.read.parquet(path)
        t0 = time.perf_counter()
        out = custseg.customer_features(log, observation_date=OBS)
        n = out.count()
        print(json.dumps({"spark_seconds": time.perf_counter() - t0}), file=sys.stderr)
        return int(n)
    finally:
        spark.stop()


def run_variant(name: str, path: str) -> dict[str, float]:
    """Run one variant in this (fresh) process and return its figures."""
    if name == "lifetimes":
        import pandas as pd
        from lifetimes.utils import summary_data_from_transaction_data

        data = pd.read_parquet(path)
        t0 = time.perf_counter()
        out = summary_data_from_transaction_data(
            data, "customer_id", "date", monetary_value_col="amount",
            observation_period_end=pd.Timestamp(OBS), freq="D")
        return {"seconds": time.perf_counter() - t0, "peak_mb": _peak_mb(),
                "customers": len(out)}
    if name == "segment":
        out_path = Path(tempfile.mkdtemp()) / "customers.parquet"
        exe = str(Path(sys.executable).with_name("custseg"))
        t0 = time.perf_counter()
        done = subprocess.run([exe, "segment", path, "-o", str(out_path), "--as-of", OBS],
                              capture_output=True, text=True)
        if done.returncode != 0:  # say why: custseg's own message, not a CalledProcessError
            raise SystemExit(f"custseg segment exited {done.returncode}: "
                             + " ".join(done.stderr.strip().splitlines()[-3:]))
        seconds = time.perf_counter() - t0
        import polars as pl

        return {"seconds": seconds, "peak_mb": _peak_mb(),
                "customers": pl.scan_parquet(out_path).select(pl.len()).collect().item()}
    if name == "polars_query":
        t0 = time.perf_counter()
        n = _polars_query(path)
        return {"seconds": time.perf_counter() - t0, "peak_mb": _peak_mb(), "customers": n}
    if name == "spark_features":
        t0 = time.perf_counter()
        n = _spark_features(path)
        return {"seconds": time.perf_counter() - t0, "peak_mb": float("nan"), "customers": n}
    import polars as pl

    import custseg  # imported before timing: a one-off cost, not part of the computation

    builder = {"rfm": custseg.rfm, "btyd_summary": custseg.btyd_summary,
               "customer_features": custseg.customer_features}[name]
    t0 = time.perf_counter()
    out = builder(pl.scan_parquet(path), observation_date=OBS)
    n = out.collect(engine="streaming").height
    return {"seconds": time.perf_counter() - t0, "peak_mb": _peak_mb(), "customers": n}


def spawn(name: str, path: Path, python: str = sys.executable) -> dict[str, float] | None:
    cmd = [python, __file__, "--variant", name, "--path", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  {name}: failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for line in proc.stderr.splitlines():  # Spark reports its compute time apart
        if line.startswith('{"spark_seconds"'):
            result["compute_seconds"] = json.loads(line)["spark_seconds"]
    return result


def lifetimes_python() -> str | None:
    env = os.environ.get("LIFETIMES_PYTHON")
    if env:
        return env
    local = CACHE / "lifetimes-venv" / "bin" / "python"
    return str(local) if local.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+",
                        default=[10_000_000, 30_000_000, 100_000_000])
    parser.add_argument("--no-segment", action="store_true", help="skip `custseg segment`")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark run at 10M")
    parser.add_argument("--lifetimes-max-rows", type=int, default=10_000_000)
    parser.add_argument("--only", nargs="+", metavar="VARIANT",
                        help="run only these variants (polars_query rfm btyd_summary "
                             "customer_features segment spark_features lifetimes)")
    parser.add_argument("--variant")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.path)))
        return 0

    ok = True

    def floor(label: str, value: float, limit: float, higher_is_better: bool = False) -> None:
        nonlocal ok
        good = value >= limit if higher_is_better else value <= limit
        ok &= good
        sign = ">=" if higher_is_better else "<="
        print(f"  {label}: {value:.2f} (floor {sign} {limit}) {'PASS' if good else 'FAIL'}",
              flush=True)

    for rows in args.rows:
        path = make_data(rows)
        print(f"\n== {rows:,} rows, {rows // ROWS_PER_CUSTOMER:,} customers, lazy parquet "
              f"scan, observation date {OBS}; each variant in a fresh process", flush=True)
        variants = ["polars_query", "rfm", "btyd_summary", "customer_features"]
        if not args.no_segment:
            variants.append("segment")
        if rows <= 10_000_000 and not args.no_spark:
            variants.append("spark_features")
        if args.only:
            variants = [v for v in variants if v in args.only]
        results: dict[str, dict[str, float]] = {}
        for name in variants:
            r = spawn(name, path)
            if r:
                results[name] = r
                extra = (f" (compute {r['compute_seconds']:.1f} s after the session start)"
                         if "compute_seconds" in r else "")
                print(f"  {name:<18}{r['seconds']:>8.1f} s{r['peak_mb'] / 1024:>8.2f} GB"
                      f"{int(r['customers']):>12,} customers{extra}", flush=True)
        lt_python = lifetimes_python()
        if args.only and "lifetimes" not in args.only:
            pass
        elif lt_python and rows <= args.lifetimes_max_rows:
            r = spawn("lifetimes", path, lt_python)
            if r:
                results["lifetimes"] = r
                print(f"  {'lifetimes':<18}{r['seconds']:>8.1f} s{r['peak_mb'] / 1024:>8.2f} GB"
                      f"{int(r['customers']):>12,} customers", flush=True)
        elif not lt_python:
            print("  lifetimes: not installed (needs pandas < 3); `make bench` builds it")
        print("floors:")
        got = results.keys()
        if {"rfm", "polars_query"} <= got:
            floor("rfm / polars query time", results["rfm"]["seconds"]
                  / results["polars_query"]["seconds"], 1.0)
        for name in ("btyd_summary", "customer_features"):
            if {name, "rfm"} <= got:
                floor(f"{name} / rfm time", results[name]["seconds"]
                      / results["rfm"]["seconds"], 1.5)
        if {"lifetimes", "btyd_summary"} <= got:
            floor("lifetimes / btyd_summary time", results["lifetimes"]["seconds"]
                  / results["btyd_summary"]["seconds"], 6.0, higher_is_better=True)
        if rows == 10_000_000:
            for name, limit in (("rfm", 0.9), ("customer_features", 1.2)):
                if name in got:
                    floor(f"{name} peak RSS GB at 10M", results[name]["peak_mb"] / 1024, limit)
        if rows == 100_000_000 and "customer_features" in got:
            floor("customer_features peak RSS GB at 100M",
                  results["customer_features"]["peak_mb"] / 1024, 6.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
