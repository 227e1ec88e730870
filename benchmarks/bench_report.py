"""Benchmark: how long ``custseg demo`` and ``custseg report`` take, and where the time goes.

Prints, in one run, each figure beside its floor (issue 15):

* ``custseg demo`` end to end on the bundled CDNOW log (fresh process, after install):
  floor under 10 s;
* ``custseg report`` on a synthetic 1.5M-row log (parquet): floor under 20 s;
* for each, the share of the time per stage (imports, reading, fit and predict, the table
  one period earlier, trends and cohorts, figures, the HTML, the other outputs), measured
  in-process on the same steps;
* screenshots of the demo report at 1280 and 390 px in headless Chromium, saved to
  ``benchmarks/_output/`` (look at them: they are checked by eye).

The machine is shared and its load varies: the script prints the load average, and
``--repeat`` keeps the best of several fresh processes. The commands run with the
runtimes' own threads (the command line's default); the in-process stages run with one
OpenMP/BLAS thread, as ``custseg --threads 1``.

Usage: ``python benchmarks/bench_report.py [--repeat 1] [--rows 1500000] [--no-screenshots]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / "_cache"
OUTPUT = HERE / "_output"
CUSTSEG = str(Path(sys.executable).with_name("custseg"))
DEMO_FLOOR, REPORT_FLOOR = 10.0, 20.0


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """One OpenMP/BLAS thread, as ``custseg --threads 1``.

    The variables reach the runtimes that load inside (the first stages import
    numpy and scikit-learn), ``threadpool_limits`` those already loaded.
    """
    from threadpoolctl import threadpool_limits

    from custseg.cli import _thread_env

    with _thread_env(1), threadpool_limits(limits=1):
        yield


def load() -> str:
    """The 1-minute load average (the machine is shared: every timing is printed with it)."""
    return f"load {os.getloadavg()[0]:.2f}"


def best_run(cmd: list[str], repeat: int, cwd: Path) -> tuple[float, str]:
    """The best wall time of ``repeat`` fresh processes, and every run with its load."""
    times, runs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
        runs.append(f"{times[-1]:.2f} s at {load()}")
    return min(times), "; ".join(runs)


class Stages:
    """Wall time per named stage, with timers wrapped around the report's steps."""

    def __init__(self) -> None:
        self.times: dict[str, float] = defaultdict(float)

    def run(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.times[name] += time.perf_counter() - start

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            return self.run(name, original, *args, **kwargs)

        setattr(owner, attr, timed)

    def show(self, title: str) -> None:
        total = sum(self.times.values())
        print(f"  where the time goes ({title}, in-process, {total:.1f} s, {load()}):")
        for name, seconds in self.times.items():
            print(f"    {name:<38} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")


def instrument(stages: Stages) -> None:
    """Time the report's inner steps: the earlier table, trends/cohorts, figures."""
    from custseg.cohorts import _retention, _trends
    from custseg.report import _context

    stages.wrap(_trends, "trends_from", "report: trends")
    stages.wrap(_retention, "retention_from", "report: cohort retention")
    stages.wrap(_context.ReportContext, "figure", "report: figures (draw + PNG)")


def demo_stages(folder: Path) -> Stages:
    stages = Stages()
    start = time.perf_counter()
    from custseg.datasets import load_cdnow
    from custseg.persistence import save
    from custseg.pipeline import CustomerSegmentation
    from custseg.report._html import build_context, render_context

    stages.times["imports"] = time.perf_counter() - start
    instrument(stages)
    log = stages.run("load CDNOW", load_cdnow)
    model = CustomerSegmentation(random_state=0)
    table = stages.run("fit and predict (fit_predict, as the CLI)", model.fit_predict, log)
    ctx = stages.run("report: table one month earlier", build_context, table, model=model,
                     transactions=log)
    page = stages.run("report: sections and HTML", render_context, ctx)
    nested = sum(v for k, v in stages.times.items() if k.startswith("report: ") and k not in (
        "report: table one month earlier", "report: sections and HTML"))
    stages.times["report: sections and HTML"] -= nested

    def outputs() -> None:
        (folder / "report.html").write_text(page, encoding="utf-8")
        table.to_csv(folder / "customers.csv", index=False)
        save(model, folder / "model.skops")

    stages.run("write CSV, model, report", outputs)
    return stages


def big_log(rows: int) -> Path:
    path = CACHE / f"report_log_{rows}.parquet"
    if not path.exists():
        from custseg.datasets import make_transactions

        CACHE.mkdir(exist_ok=True)
        log = make_transactions(n_customers=max(1000, rows // 15), n_transactions=rows,
                                random_state=0)
        log.to_parquet(path, index=False)
    return path


def report_stages(path: Path, out: Path) -> Stages:
    stages = Stages()
    from custseg.io import read_transactions
    from custseg.pipeline import CustomerSegmentation
    from custseg.report._html import build_context, render_context

    instrument(stages)
    log = stages.run("read parquet", read_transactions, str(path))
    model = CustomerSegmentation(random_state=0)
    table = stages.run("fit and predict (fit_predict, as the CLI)", model.fit_predict, log)
    ctx = stages.run("report: table one month earlier", build_context, table, model=model,
                     transactions=log)
    page = stages.run("report: sections and HTML", render_context, ctx)
    nested = sum(v for k, v in stages.times.items() if k.startswith("report: ") and k not in (
        "report: table one month earlier", "report: sections and HTML"))
    stages.times["report: sections and HTML"] -= nested
    stages.run("write report", out.write_text, page, encoding="utf-8")
    return stages


def screenshots(report: Path) -> list[Path]:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("  screenshots: skipped (no chromium on PATH; make install brings it)")
        return []
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(report.resolve().as_uri())
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            shot = OUTPUT / f"demo-report-{width}px.png"
            page.screenshot(path=str(shot), full_page=True)
            top = OUTPUT / f"demo-report-{width}px-top.png"
            page.screenshot(path=str(top))
            shots += [shot, top]
            print(f"  screenshot {width} px: {shot} (and -top), horizontal overflow "
                  f"{max(overflow, 0)} px")
            page.close()
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo, runs = best_run([CUSTSEG, "demo", "--output", "demo"], args.repeat, work)
        print(f"custseg demo (CDNOW, 69,659 rows), fresh process: {demo:6.2f} s   floor < "
              f"{DEMO_FLOOR:.0f} s   {'OK' if demo < DEMO_FLOOR else 'NOT MET'}   (runs: {runs})")
        with one_thread():
            stages = demo_stages(work / "demo")
        stages.show("demo")
        if not args.no_screenshots:
            screenshots(work / "demo" / "report.html")
        path = big_log(args.rows)
        report, runs = best_run([CUSTSEG, "report", str(path), "-o", "big.html"], args.repeat,
                                work)
        size = (work / "big.html").stat().st_size / 1e6
        print(f"custseg report ({args.rows:,} rows, parquet), fresh process: {report:6.2f} s   "
              f"floor < {REPORT_FLOOR:.0f} s   {'OK' if report < REPORT_FLOOR else 'NOT MET'}"
              f"   ({size:.1f} MB of HTML; runs: {runs})")
        with one_thread():
            report_stages(path, work / "big2.html").show("report")


if __name__ == "__main__":
    main()
