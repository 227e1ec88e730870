"""The ``custseg`` command line: a thin shell over :class:`custseg.pipeline.CustomerSegmentation`.

Commands
--------
``custseg segment INPUT``
    Fit on a transaction file and write one row per customer (features, RFM
    segment, lifecycle stage, K-means segment, tier, churn risk) as CSV or
    parquet.
``custseg report INPUT -o report.html``
    The same, summarised in a self-contained HTML report.
``custseg fit INPUT -o model.skops`` / ``custseg predict MODEL INPUT -o out.csv``
    Fit once, save the model, apply it to later extracts. The suffix of the
    model file chooses its format: ``.skops`` (skops' format, loaded safely)
    or anything else, such as ``.joblib`` (joblib, that is pickle).
``custseg demo [--output DIR]``
    The whole job on the bundled CDNOW data.
``custseg grade PROSPECTS --rules rules.yaml`` / ``--target converted``
    Grade prospects (no transactions needed) from points rules or a score learned
    from a past-outcome column, with the reasons and the action of every grade.

Input and output
----------------
INPUT is a CSV, parquet or Arrow IPC/Feather file, or ``-`` for standard input;
what it holds is told from its content, not its name. CSV files may be UTF-8
(with or without a byte-order mark) or UTF-16 with one, and compressed with
gzip, zstd, bz2 or xz; the field separator is found from the first lines
(``--sep`` to name it), the decimal mark is ``.`` (``--decimal ,`` for
``12,50``), and timestamps are ISO 8601 (``--time-format`` for any other form:
a slash date such as ``1/2/2024`` is never guessed). Every output file is
written to a temporary file in its folder and renamed into place when complete,
so an interrupted or failed run never leaves a partial file; the folder is
checked before the work starts. A closed output pipe (``custseg segment x.csv |
head``) ends the run quietly.

Exit codes
----------
``0`` success; ``2`` bad input or usage (one line on stderr saying what is
wrong and how to fix it); ``1`` an internal error (a bug: please report it;
``--debug`` shows the traceback); ``130`` interrupted (Ctrl-C). Progress goes to
stderr only when stderr is a terminal.

Model files and trust
---------------------
``custseg predict`` never unpickles MODEL unless ``--trust-pickle`` is given,
whatever the file is named or says about itself: **loading a pickle runs
code**, so pass ``--trust-pickle`` only for joblib files you made yourself or
got from a source you trust as much as your own code. A skops MODEL (written by
``custseg fit -o model.skops``) is loaded without running code and with no
flags: only skops' audited types, custseg's own classes, dates and
scikit-learn's tree structures are rebuilt, the trees once custseg has checked
that every split points to children inside the tree and to a feature the model
has (skops leaves trees out because scikit-learn follows their indices without
bounds checks). Any other type is refused with exit code 2 and one line naming
it; ``--trust TYPE`` accepts a type you have checked. Functions and types from
modules that can run code (``builtins.exec``) are never offered as the fix.

Examples
--------
>>> from custseg.cli import main
>>> main(["segment", "no-such-file.csv"])
2
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import _cli_baskets
from ._cli_args import add_log_input

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 2, 1, 130
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")

_EPILOG_MAIN = """\
examples:
  custseg demo --output demo-output
  custseg segment orders.csv -o customers.parquet --as-of 2024-06-30
  custseg segment orders.csv --customer-col client --time-col ordered_at --amount-col total
  custseg report orders.parquet -o report.html
  custseg fit orders.csv -o model.skops --observation-date 2024-03-31
  custseg predict model.skops orders.csv -o customers.csv --as-of 2024-06-30

Run "custseg COMMAND --help" for the options of a command."""

_EPILOG = {
    "segment": """\
examples:
  custseg segment orders.csv                      # CSV to stdout
  custseg segment orders.csv -o customers.parquet --as-of 2024-06-30
  custseg segment export.csv --sep ";" --customer-col client --time-col day \\
      --time-format %d/%m/%Y --amount-col total -o customers.csv""",
    "report": """\
examples:
  custseg report orders.csv -o report.html
  custseg report orders.parquet -o report.html --as-of 2024-06-30 --title "Q2 customers\"""",
    "fit": """\
examples:
  custseg fit orders.csv -o model.skops           # safe to load: the file to share
  custseg fit orders.csv -o model.skops --observation-date 2024-03-31 --random-state 0
  custseg fit orders.csv -o model.joblib          # pickle: for your own use only

The suffix of MODEL chooses the format: .skops writes skops' format, which
'custseg predict' loads without running code from the file; any other suffix
(.joblib) writes a pickle, and loading a pickle runs code.""",
    "predict": """\
examples:
  custseg predict model.skops orders.csv -o customers.csv
  custseg predict model.joblib orders.csv -o customers.parquet --trust-pickle

A MODEL in skops' format is loaded without running code from the file: only
skops' audited types, custseg's classes, dates and checked scikit-learn trees
are rebuilt; any other type is refused with a line naming it (--trust TYPE
accepts a type you have checked). A joblib MODEL is a pickle, and loading a
pickle runs code: it is refused unless you pass --trust-pickle, which you
should only do for files you made yourself or got from a source you trust.""",
    "demo": """\
examples:
  custseg demo                          # writes ./demo-output
  custseg demo --output /tmp/cdnow --sample""",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_ERROR)


class _Progress:
    """Progress lines on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            self.stream.write(f"custseg [{elapsed:6.1f}s] {message}\n")
            self.stream.flush()


def _add_columns(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("columns of the transaction file")
    g.add_argument("--customer-col", default="customer_id", metavar="NAME",
                   help="customer id column (default: %(default)s)")
    g.add_argument("--time-col", default="date", metavar="NAME",
                   help="timestamp column (default: %(default)s)")
    g.add_argument("--amount-col", default="amount", metavar="NAME",
                   help="amount column, in currency units (default: %(default)s)")
    g.add_argument("--order-col", metavar="NAME", help="order id column (optional)")
    g.add_argument("--quantity-col", metavar="NAME", help="quantity column (optional)")
    g.add_argument("--product-col", metavar="NAME", help="product id column (optional)")
    g.add_argument("--time-format", metavar="FMT",
                   help="strftime format of text timestamps, e.g. %%d/%%m/%%Y "
                        "(default: ISO 8601; other forms are never guessed)")
    _add_input_format(g)


def _add_input_format(g: Any) -> None:
    g.add_argument("--sep", default=None, metavar="CHAR",
                   help="CSV field separator (default: found from the first lines)")
    g.add_argument("--decimal", default=".", metavar="CHAR",
                   help="decimal mark of CSV numbers, e.g. ',' for 12,50 "
                        "(default: %(default)r)")
    g.add_argument("--encoding", default=None, metavar="NAME",
                   help="text encoding of a CSV without a byte-order mark, e.g. cp1252 "
                        "(default: UTF-8)")


_STAGES = ("rfm", "lifecycle", "kmeans", "tiers", "tier_rules", "churn", "future_value",
           "playbook", "baskets")


def _add_model(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--churn-horizon-days", type=int, default=90, metavar="DAYS",
                   help="days without purchase that count as churn (default: %(default)s)")
    g.add_argument("--n-clusters", default="auto", metavar="K",
                   help="number of K-means segments, or 'auto' (default: %(default)s)")
    g.add_argument("--random-state", type=int, default=0, metavar="SEED",
                   help="seed of K-means and the churn model (default: %(default)s)")
    g.add_argument("--active-days", type=float, metavar="DAYS",
                   help="lifecycle: days without purchase after which a customer is no longer "
                        "active (default: learnt from the gaps between purchases)")
    g.add_argument("--churn-days", type=float, metavar="DAYS",
                   help="lifecycle: days without purchase after which a customer is churned "
                        "(default: learnt from the gaps between purchases)")
    g.add_argument("--drop", action="append", default=[], metavar="STAGE", choices=_STAGES,
                   help="leave a stage out: one of " + ", ".join(_STAGES) + " (repeatable; "
                        "a stage the log is too small for is left out with a warning)")


def build_parser() -> argparse.ArgumentParser:
    """Build the ``custseg`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        The parser of the ``custseg`` command and its sub-commands.

    Examples
    --------
    >>> from custseg.cli import build_parser
    >>> args = build_parser().parse_args(["segment", "log.csv", "--as-of", "2024-06-30"])
    >>> args.command, args.input, args.as_of
    ('segment', 'log.csv', '2024-06-30')
    >>> args = build_parser().parse_args(
    ...     ["predict", "model.skops", "log.csv", "--trust", "sklearn.tree._tree.Tree"])
    >>> args.model, args.trust
    ('model.skops', ['sklearn.tree._tree.Tree'])
    """
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="custseg",
        description="Customer segmentation from a transaction log: RFM segments, lifecycle "
                    "stages, K-means segments, A/B/C/D tiers, churn risk and a playbook.",
        epilog=_EPILOG_MAIN, formatter_class=fmt,
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="threads of the compiled numeric code (OpenMP, BLAS); default: "
                             "the runtimes' own choice (one per core, or OMP_NUM_THREADS); "
                             "--threads 1 helps on a machine busy with other work")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=_EPILOG[name],
                           formatter_class=fmt)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the full traceback of an error")
        return p

    p = add("segment", "Write one row per customer: features, segments, tier and churn risk.")
    add_log_input(p, as_of="date of the table; later transactions are ignored "
                           "(default: the last transaction)")
    _add_columns(p)
    _add_model(p)

    p = add("report", "Write a self-contained HTML report for business readers.")
    p.add_argument("input", metavar="INPUT",
                   help="transaction file (CSV, parquet or Arrow/Feather; - for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="output .html file")
    p.add_argument("--as-of", metavar="DATE", help="date of the report (default: last transaction)")
    p.add_argument("--title", default="Customer segmentation report", help="report title")
    p.add_argument("--table", metavar="FILE",
                   help="also write the customer table (.csv or .parquet)")
    _add_columns(p)
    _add_model(p)

    p = add("fit", "Fit the segmentation model on a transaction file and save it.")
    p.add_argument("input", metavar="INPUT",
                   help="transaction file (CSV, parquet or Arrow/Feather; - for stdin)")
    p.add_argument("-o", "--output", metavar="MODEL", required=True,
                   help="model file to write: model.skops (safe to load) or model.joblib "
                        "(pickle; loading it runs code)")
    p.add_argument("--observation-date", metavar="DATE",
                   help="fit as of this date; later transactions are ignored "
                        "(default: the last transaction)")
    _add_columns(p)
    _add_model(p)

    p = add("predict", "Apply a saved model to a transaction file.")
    p.add_argument("model", metavar="MODEL", help="model file written by 'custseg fit'")
    p.add_argument("input", metavar="INPUT",
                   help="transaction file (CSV, parquet or Arrow/Feather; - for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", default="-",
                   help="output .csv or .parquet file (default: CSV on stdout)")
    p.add_argument("--as-of", metavar="DATE", help="date of the table (default: last transaction)")
    _add_input_format(p)
    p.add_argument("--trust", action="append", metavar="TYPE",
                   help="qualified name of a type to trust in a skops MODEL, once you have "
                        "checked it only holds data (repeatable)")
    p.add_argument("--max-model-bytes", type=int, default=512 << 20, metavar="N",
                   help="largest inflated size of a skops MODEL's contents, in bytes; a "
                        "larger file is refused before it is read (default: %(default)s)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="unpickle a joblib MODEL; loading a pickle runs code, so only for "
                        "files you made or trust as much as your own code")

    _add_grade_parser(add)
    _add_campaign_parser(add, _add_columns, _add_model)
    _cli_baskets.add_parsers(add, _add_columns)

    p = add("demo", "Run the whole job on the bundled CDNOW data.")
    p.add_argument("--output", metavar="DIR", default="demo-output",
                   help="output folder (default: %(default)s)")
    p.add_argument("--sample", action="store_true",
                   help="use the 1-in-10 sample (2,357 customers) instead of all 23,570")
    return parser


def _version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("custseg")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


# ---------------------------------------------------------------------- helpers
def _date(value: str | None, option: str) -> Any:
    if value is None:
        return None
    from .io import parse_date

    parse_date(value, name=option)
    return value


def _check_output(path: str, suffixes: tuple[str, ...] | None, option: str = "-o") -> None:
    from .io._write import check_writable

    check_writable(path, suffixes, option)


def _read(args: argparse.Namespace, customer_col: str) -> Any:
    from .io import read_transactions

    return read_transactions(args.input, customer_col=customer_col, sep=args.sep,
                             decimal=args.decimal, encoding=args.encoding)


def _model(args: argparse.Namespace, observation_date: Any = None) -> Any:
    from .io._options import LOG_COLUMNS, log_options
    from .pipeline import CustomerSegmentation

    n_clusters: Any = args.n_clusters
    if n_clusters != "auto":
        try:
            n_clusters = int(n_clusters)
        except ValueError:
            from .exceptions import InvalidValueError

            raise InvalidValueError(
                f"--n-clusters {args.n_clusters!r} must be a whole number or 'auto'."
            ) from None
    kmeans: Any = None
    if n_clusters != "auto":
        from .segments import KMeansSegmenter

        kmeans = KMeansSegmenter(n_clusters=n_clusters)
    lifecycle: Any = None
    if args.active_days is not None or args.churn_days is not None:
        from .segments import LifecycleStager

        lifecycle = LifecycleStager(
            active_days="auto" if args.active_days is None else _days(args.active_days,
                                                                      "--active-days"),
            churn_days="auto" if args.churn_days is None else _days(args.churn_days,
                                                                    "--churn-days"))
    stages: dict[str, Any] = {"kmeans": kmeans, "lifecycle": lifecycle,
                              **{stage: "drop" for stage in args.drop}}
    return CustomerSegmentation(
        **log_options(args, keys=(*LOG_COLUMNS, "time_format")),
        observation_date=observation_date,
        churn_horizon_days=args.churn_horizon_days, random_state=args.random_state,
        **stages,
    )


def _days(value: float, option: str) -> float:
    if not value > 0 or value == float("inf"):
        from .exceptions import InvalidValueError

        raise InvalidValueError(f"{option} {value:g} must be a positive number of days.")
    return value


def _write_table(table: Any, path: str, stdout: TextIO) -> None:
    from .io._write import write_table

    write_table(table, path, stdout)


def _fit_predict(args: argparse.Namespace, progress: _Progress) -> tuple[Any, Any]:
    model, table, _ = _fit_predict_log(args, progress)
    return model, table


def _fit_predict_log(args: argparse.Namespace, progress: _Progress) -> tuple[Any, Any, Any]:
    """Read, fit and predict; also return the log read (the report's trends use it)."""
    as_of = _date(args.as_of, "--as-of")
    progress(f"reading {args.input}")
    log = _read(args, args.customer_col)
    model = _model(args, observation_date=as_of)
    progress(f"fitting on {len(log):,} transactions (features, segments, tiers, churn) "
             "and scoring the customers")
    table = model.fit_predict(log)  # as of --as-of: the model's observation_date
    return model, table, log


# ---------------------------------------------------------------------- commands
def _cmd_segment(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    _check_output(args.output, TABLE_SUFFIXES)
    _, table = _fit_predict(args, progress)
    progress(f"writing {len(table):,} customers to {args.output}")
    _write_table(table, args.output, out)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    _check_output(args.output, (".html", ".htm"))
    if args.table:
        _check_output(args.table, TABLE_SUFFIXES, "--table")
    model, table, log = _fit_predict_log(args, progress)
    from .report import write_report

    progress(f"writing the report to {args.output}")
    from .io._write import atomic_output

    with atomic_output(args.output) as tmp:
        write_report(tmp, table, model=model, transactions=log, title=args.title)
    if args.table:
        _write_table(table, args.table, out)
    print(f"report written to {Path(args.output).resolve()}", file=out)
    return EXIT_OK


def _cmd_fit(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    _check_output(args.output, None)
    observation_date = _date(args.observation_date, "--observation-date")
    progress(f"reading {args.input}")
    log = _read(args, args.customer_col)
    model = _model(args, observation_date=observation_date)
    progress(f"fitting on {len(log):,} transactions")
    model.fit(log)
    from .io._write import atomic_output
    from .persistence import save

    with atomic_output(args.output) as tmp:
        save(model, tmp)
    print(f"model written to {Path(args.output).resolve()} "
          f"({model.n_customers_:,} customers as of {model.observation_date_.date()})", file=out)
    return EXIT_OK


def _cmd_predict(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    # The model file is checked (its metadata, then the declared sizes of its archive
    # members) before pandas, polars or scikit-learn are imported: a hostile file is
    # refused by a process of about 50 MB (test_persistence_security measures it).
    _check_output(args.output, TABLE_SUFFIXES)
    from .exceptions import ModelFileError
    from .persistence import read_metadata

    trusted = _trusted_types(args.trust)
    meta = read_metadata(args.model)  # runs no code, whatever the file holds
    if not meta["class"].endswith("CustomerSegmentation"):
        raise ModelFileError(
            f"{args.model} holds a {meta['class']}, not a model written by 'custseg fit'."
        )
    progress(f"loading {args.model}" + (" (unpickling)" if args.trust_pickle else ""))
    model = _load_model(args.model, True if args.trust_pickle else trusted or [],
                        args.max_model_bytes)
    as_of = _date(args.as_of, "--as-of")
    progress(f"reading {args.input}")
    log = _read(args, model.customer_col)
    progress("scoring customers")
    table = model.predict(log, as_of=as_of)
    progress(f"writing {len(table):,} customers to {args.output}")
    _write_table(table, args.output, out)
    return EXIT_OK


def _trusted_types(values: list[str] | None) -> list[str] | None:
    """Check that the ``--trust`` values are qualified type names (None: not given)."""
    if values is None:
        return None
    for value in values:
        parts = value.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            from .exceptions import InvalidValueError

            raise InvalidValueError(
                f"--trust {value!r} is not a qualified type name; expected a dotted name "
                "such as sklearn.tree._tree.Tree (module path, then the class)."
            )
    return values


def _load_model(path: str, trusted: bool | list[str], max_bytes: int) -> Any:
    """Load MODEL: never unpickled unless ``trusted`` is True (``--trust-pickle``)."""
    from .exceptions import InvalidValueError, ModelFileError, UntrustedTypeError
    from .persistence import load

    if max_bytes < 1:
        raise InvalidValueError(f"--max-model-bytes {max_bytes} must be at least 1.")
    try:
        model = load(path, trusted=trusted, max_bytes=max_bytes)
    except UntrustedTypeError as err:
        msg = str(err)
        suggested = getattr(err, "suggested", [])
        if suggested:  # the command line's words for load's trusted=[...]
            msg = msg[: msg.rindex(" pass trusted=[")] + " add " + " ".join(
                f"--trust {name}" for name in suggested)
        raise UntrustedTypeError(msg) from err
    except ModelFileError as err:
        raise ModelFileError(str(err).replace(
            "load(path, trusted=True) (custseg predict --trust-pickle)", "--trust-pickle"
        ).replace("Pass max_bytes= a larger limit", "Pass --max-model-bytes a larger limit"
                  ).replace("more than max_bytes=", "more than --max-model-bytes ")
        ) from err
    from .pipeline import CustomerSegmentation

    if not isinstance(model, CustomerSegmentation):
        raise ModelFileError(
            f"{path} holds a {type(model).__name__}, not a CustomerSegmentation written "
            "by 'custseg fit'."
        )
    return model


def _cmd_demo(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    from .datasets import load_cdnow
    from .pipeline import CustomerSegmentation
    from .report._html import build_context, render_context

    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plots").mkdir(exist_ok=True)
    progress("loading the bundled CDNOW log")
    log = load_cdnow(sample=args.sample)
    progress(f"fitting on {len(log):,} transactions of {log['customer_id'].nunique():,} "
             "customers and scoring them")
    model = CustomerSegmentation(random_state=0)
    table = model.fit_predict(log)
    progress(f"writing the outputs to {folder}")
    table.to_csv(folder / "customers.csv", index=False)
    progress("writing the report")
    ctx = build_context(table, model=model, transactions=log)
    page = render_context(ctx, title="CDNOW customers: segmentation report")
    (folder / "report.html").write_text(page, encoding="utf-8")
    figs = ctx.figures  # the report's figures, also as PNG files
    for name, png in figs.items():
        (folder / "plots" / f"{name}.png").write_bytes(png)
    from .persistence import save

    save(model, folder / "model.skops")
    if model.tier_rules_ is not None:
        (folder / "tier_rules.txt").write_text(model.tier_rules_.export_rules("text") + "\n")
        (folder / "tier_rules.sql").write_text(
            model.tier_rules_.export_rules("sql") + "\n")
    where = folder.resolve()
    print(f"custseg demo: {len(table):,} CDNOW customers as of "
          f"{str(table.attrs.get('as_of', ''))[:10]}", file=out)
    print(f"  output folder: {where}", file=out)
    print(f"  customer table: {where / 'customers.csv'}", file=out)
    print(f"  report:         {where / 'report.html'}", file=out)
    print(f"  plots:          {where / 'plots'} ({len(figs)} PNG files)", file=out)
    print(f"  model:          {where / 'model.skops'}", file=out)
    if model.tier_rules_ is not None:
        print(f"  tier rules:     {where / 'tier_rules.txt'} (and .sql)", file=out)
    return EXIT_OK


# --------------------------------------------------------------- custseg campaign
_EPILOG["campaign"] = """\
examples:
  custseg campaign orders.csv -o campaign.csv
  custseg campaign orders.csv -o vip.csv --action "VIP care" --as-of 2024-06-30

One row per customer with their action (from value x churn risk x lifecycle stage), its
priority and reason, grouped by action (priority 1 first), biggest value at stake first."""


def _add_campaign_parser(add: Any, columns: Any, model: Any) -> None:
    p = add("campaign", "Write the campaign list: every customer's action, by value at stake.")
    add_log_input(p, as_of="date of the list (default: the last transaction)",
                  output="output .csv file (default: stdout)")
    p.add_argument("--action", metavar="NAME", help="only the customers of this action")
    columns(p)
    model(p)


def _cmd_campaign(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    _check_output(args.output, (".csv",))
    _, table = _fit_predict(args, progress)
    from .actions import campaign_list

    if "action" not in table.columns:
        from .exceptions import InvalidValueError

        raise InvalidValueError("the table has no action column (the playbook stage was "
                                "dropped or could not be learnt); nothing to export.")
    lst = campaign_list(table, customer_col=args.customer_col, action=args.action)
    progress(f"writing {len(lst):,} customers to {args.output}")
    _write_table(lst, args.output, out)
    return EXIT_OK


# ------------------------------------------------------------------ custseg grade
_EPILOG["grade"] = """\
examples:
  custseg grade prospects.csv --rules rules.yaml -o graded.csv
  custseg grade prospects.csv --target converted --categorical MOSTYPE,MOSHOOFD
  custseg grade caravan.csv --target Purchase --positive-label Yes -o graded.csv

Rules (JSON, or YAML with PyYAML installed) read like
  rules:
    industry in {ICT, Finance}: 15
    employees >= 500: +20
    budget unknown: -5
  grades: {A: 30, B: 10, C: 0, D: null}
Without grades in the rule set, the points are cut into quartiles. With --target,
a LeadScorer learns the score from the rows whose target is filled in and grades
every row; the output has each lead's grade, its reasons and the grade's action."""


def _add_grade_parser(add: Any) -> None:
    p = add("grade", "Grade prospects A-D from points rules or a learned score, with reasons.")
    p.add_argument("input", metavar="PROSPECTS", help="prospect table (.csv or .parquet)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--rules", metavar="FILE", help="points rules (.json, .yaml or .yml)")
    how.add_argument("--target", metavar="COLUMN",
                     help="past outcome column (converted or not) to learn the score from")
    p.add_argument("-o", "--output", metavar="FILE", default="-",
                   help="output .csv or .parquet file (default: CSV on stdout)")
    p.add_argument("--id-col", default="customer_id", metavar="COLUMN",
                   help="lead id column (default: %(default)s; kept as text)")
    p.add_argument("--categorical", metavar="COLUMNS", default="",
                   help="comma-separated numeric columns that hold category codes (--target)")
    p.add_argument("--positive-label", metavar="LABEL",
                   help="the target value meaning 'converted' (default: 1, True, Yes...)")
    p.add_argument("--sep", default=",", metavar="CHAR",
                   help="CSV field separator (default: %(default)r)")
    p.add_argument("--reasons", type=int, default=3, metavar="N",
                   help="reasons of each side per lead (default: %(default)s)")
    p.add_argument("--random-state", type=int, default=0, metavar="SEED",
                   help="seed of the learned score (default: %(default)s)")


def _read_prospects(args: argparse.Namespace) -> Any:
    from .io import read_transactions

    # The same reader as transaction files: content-sniffed, ids kept as text, custseg
    # errors for malformed files.
    return read_transactions(args.input, customer_col=args.id_col, sep=args.sep)


def _cmd_grade(args: argparse.Namespace, progress: _Progress, out: TextIO) -> int:
    from .leads import LeadScorer, PointsScorer, grade_leads, lead_actions

    _check_output(args.output, TABLE_SUFFIXES)
    progress(f"reading {args.input}")
    table = _read_prospects(args)
    if args.rules is not None:
        scorer = PointsScorer.from_file(args.rules, customer_col=args.id_col).fit(table)
        graded = scorer.reasons(table, n_reasons=args.reasons)
        if "grade" not in graded.columns:
            graded["grade"] = grade_leads(graded["points"]).to_numpy()
    else:
        if args.target not in table.columns:
            from .exceptions import MissingColumnError

            raise MissingColumnError.from_missing_and_available(
                {"--target": args.target}, [str(c) for c in table.columns])
        known = table[args.target].notna()
        features = table.drop(columns=[args.target])
        categorical = [c.strip() for c in args.categorical.split(",") if c.strip()]
        lead = LeadScorer(categorical=categorical or "auto", positive_label=args.positive_label,
                          customer_col=args.id_col, random_state=args.random_state)
        progress(f"learning the score from {int(known.sum()):,} leads with a known outcome")
        lead.fit(features[known.to_numpy()], table.loc[known, args.target])
        progress(f"hold-out (out-of-fold) AUC {lead.oof_proba_auc_:.3f}")
        graded = lead.reasons(features, n_reasons=args.reasons)
    graded = lead_actions(graded, column="grade")
    _write_table(graded, args.output, out)
    return EXIT_OK


_COMMANDS = {
    "campaign": _cmd_campaign,
    "segment": _cmd_segment,
    "report": _cmd_report,
    "fit": _cmd_fit,
    "predict": _cmd_predict,
    "demo": _cmd_demo,
    "grade": _cmd_grade,
    **_cli_baskets.COMMANDS,
}
_EPILOG.update(_cli_baskets.EPILOG)


def _one_line(err: BaseException) -> str:
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    text = " ".join(text.split())
    from .exceptions import CustsegError

    if isinstance(err, CustsegError):
        return text or type(err).__name__
    if isinstance(err, OSError) and err.strerror:
        where = f" {err.filename}" if err.filename else ""
        return f"cannot access{where}: {err.strerror}"
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _quiet_stdout() -> None:
    """After a broken pipe: send what is left of stdout nowhere, so exit is silent."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass


#: Variables the OpenMP and BLAS runtimes read when they load.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _thread_env(threads: int | None) -> Iterator[None]:
    """``--threads N`` for the runtimes that load inside the command; None sets nothing.

    Without ``--threads`` custseg leaves the thread counts to the runtimes (and to
    the caller's ``OMP_NUM_THREADS``...), as the library does. When the user asks
    for N: the commands import numpy, scipy and scikit-learn lazily, and
    ``threadpool_limits`` only reaches the runtimes already loaded, so these
    variables are set for the ones that load inside the command (on a busy 2-core
    machine, ``--threads 1`` made ``custseg demo`` take 23 s instead of 64 s at a
    load average of 8, ``benchmarks/bench_report.py``). The variables are restored
    on exit (the runtimes read them once, at load).
    """
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: str(threads) for k in _THREAD_VARS})
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``custseg`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit code: 0 on success (or when the reader of the output pipe stopped
        reading), 2 on bad input or usage, 1 on an internal error (one line on
        stderr each), 130 when interrupted.

    Examples
    --------
    >>> from custseg.cli import main
    >>> main(["report", "missing.csv", "-o", "report.html"])
    2
    """
    args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    progress = _Progress(sys.stderr)
    if args.threads is not None and args.threads < 1:
        sys.stderr.write(f"custseg: error: --threads {args.threads} must be at least 1\n")
        return EXIT_ERROR
    with warnings.catch_warnings(), _thread_env(args.threads):
        if not debug:
            from .exceptions import CustsegWarning

            # custseg's warnings are shown as one line and never stop the command.
            warnings.filterwarnings("default", category=CustsegWarning)
            warnings.showwarning = _show_warning
        from ._advice import called_from
        from .exceptions import CustsegError

        try:
            # Messages name this command's flags for the Python parameters they mean.
            flags = {"fit": {"observation_date": "--observation-date"},
                     "grade": {"customer_col": "--id-col"}}.get(args.command, {})
            with called_from("cli", **flags):
                return _COMMANDS[args.command](args, progress, sys.stdout)
        except KeyboardInterrupt:
            sys.stderr.write("custseg: interrupted; no output was left half-written\n")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_OK
        except Exception as err:
            if debug:
                raise
            if isinstance(err, CustsegError | OSError):
                sys.stderr.write(f"custseg {args.command}: error: {_one_line(err)}\n")
                return EXIT_ERROR
            sys.stderr.write(
                f"custseg {args.command}: internal error: {_one_line(err)} (this is a bug in "
                "custseg: please report it with the output of --debug)\n")
            return EXIT_INTERNAL


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    text = " ".join(str(message).split())
    sys.stderr.write(f"custseg: warning: {text}\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
