"""The malformed-input catalogue: files a user (or an export from another system) may
hand custseg, with the exact error each gets, or the documented handling.

Each case is a file's bytes (or a builder of the file), the options as the command
line spells them, and what must happen: ``(ErrorClass, regex)`` or ``Kept(n)`` (a
table with every one of the ``n`` customers). ``tests/io/test_catalogue.py`` runs
every case through the Python API and through the command line.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import pickle
import sqlite3
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from custseg.exceptions import (
    EmptyDataError,
    FileFormatError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
    MissingFileError,
    NullValueError,
    OutputError,
    TimestampParseError,
    TimezoneMismatchError,
)

HEADER = "customer_id,date,amount"
ROWS = [("a", "2024-01-03", "10.50"), ("a", "2024-02-10", "5.25"), ("b", "2024-01-15", "7.00"),
        ("b", "2024-03-20", "12.10"), ("c", "2024-02-01", "3.99"), ("d", "2024-03-01", "20.00"),
        ("d", "2024-03-28", "1.01"), ("e", "2024-01-20", "8.40")]
N = 5  # customers in ROWS


def csv(rows=ROWS, header=HEADER, sep=",", newline="\n") -> str:
    return newline.join([header.replace(",", sep)] + [sep.join(r) for r in rows]) + newline


def csv_bytes(**kw: Any) -> bytes:
    return csv(**kw).encode()


def with_col(index: int, values: list[str]) -> list[tuple[str, ...]]:
    return [tuple(v if i == index else r[i] for i in range(3)) for r, v in zip(ROWS, values,
                                                                               strict=True)]


def frame() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv()), dtype={"customer_id": str})


def arrow_table(dictionary: bool = False) -> pa.Table:
    table = pa.Table.from_pandas(frame(), preserve_index=False)
    if dictionary:
        table = table.set_column(0, "customer_id", table.column(0).dictionary_encode())
    return table


def parquet_bytes(dictionary: bool = False) -> bytes:
    sink = io.BytesIO()
    pq.write_table(arrow_table(dictionary), sink)
    return sink.getvalue()


def arrow_bytes(stream: bool = False) -> bytes:
    sink = pa.BufferOutputStream()
    table = arrow_table()
    writer = (pa.ipc.new_stream if stream else pa.ipc.new_file)(sink, table.schema)
    writer.write_table(table)
    writer.close()
    return sink.getvalue().to_pybytes()


def feather1_bytes() -> bytes:
    sink = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # old files still exist
        feather.write_feather(frame(), sink, version=1)
    return sink.getvalue()


def zip_bytes() -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return sink.getvalue()


def sqlite_bytes(tmp: Path) -> bytes:
    path = tmp / "db.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("create table t (a)")
    return path.read_bytes()


def tiny(ids: list[str], days: list[int], amounts: list[float]) -> str:
    start = pd.Timestamp("2024-01-01")
    rows = [(i, (start + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), f"{a:.2f}")
            for i, d, a in zip(ids, days, amounts, strict=True)]
    return csv(rows=rows)


@dataclass(frozen=True)
class Kept:
    """The documented handling: a table with every one of ``n`` customers."""

    n: int
    warns: bool | None = None  # a stage is left out with a DataWarning (None: either)


@dataclass(frozen=True)
class Case:
    name: str
    data: Any  # bytes, str, None (no file), or a callable(tmp_path) -> bytes
    expect: Any  # (ErrorClass, regex) or Kept
    opts: dict[str, str] = field(default_factory=dict)  # as the command line spells them
    cli_only: bool = False
    suffix: str = ".csv"


E = TimestampParseError
CASES = [
    # --- dates: ISO 8601 or an explicit format, never a guess -------------------------------
    Case("day-first slash dates", csv(rows=with_col(1, [
        "03/01/2024", "10/02/2024", "15/01/2024", "20/03/2024", "01/02/2024", "01/03/2024",
        "28/03/2024", "20/01/2024"])),
        (E, r"column 'date' \(time_col\) has 8 of 8 rows.*--time-format.*'03/01/2024'")),
    Case("month-first slash dates", csv(rows=with_col(1, ["1/3/2024", "2/10/2024", "1/15/2024",
         "3/20/2024", "2/1/2024", "3/1/2024", "3/28/2024", "1/20/2024"])),
         (E, r"8 of 8 rows.*not guess.*'%m/%d/%Y'")),
    Case("two-digit years", csv(rows=with_col(1, ["3/1/24"] * 8)), (E, r"8 of 8 rows.*'3/1/24'")),
    Case("month names", csv(rows=with_col(1, ["Jan 3 2024"] * 8)), (E, r"'Jan 3 2024'")),
    Case("one slash date among ISO dates", csv(rows=with_col(1, [r[1] for r in ROWS[:-1]] +
         ["1/20/2024"])), (E, r"1 of 8 rows.*'1/20/2024'")),
    Case("dotted dates", csv(rows=with_col(1, ["03.01.2024"] * 8)), (E, r"'03\.01\.2024'")),
    Case("impossible date", csv(rows=with_col(1, [r[1] for r in ROWS[:-1]] + ["2024-02-30"])),
         (E, r"1 of 8 rows.*'2024-02-30'")),
    Case("hour 25", csv(rows=with_col(1, [r[1] for r in ROWS[:-1]] + ["2024-02-03 25:00"])),
         (E, r"1 of 8 rows.*'2024-02-03 25:00'")),
    Case("mixed offsets and naive", csv(rows=with_col(1, ["2024-01-03T10:00:00+01:00"] +
         [r[1] for r in ROWS[1:]])), (E, r"mixes 1 timestamps with a UTC offset and 7 without")),
    Case("compact dates read as numbers", csv(rows=with_col(1, ["20240103"] * 8)),
         (InvalidDtypeError, r"column 'date' \(time_col\) has dtype Int64.*--time-format.*%Y%m%d")),
    Case("wrong explicit format", csv(), (E, r"8 of 8 rows.*in format '%d/%m/%Y'"),
         {"--time-format": "%d/%m/%Y"}),
    Case("placeholder date 9999-12-31", csv(rows=with_col(1, [r[1] for r in ROWS[:-1]] +
         ["9999-12-31"])), (InvalidValueError, r"1 of 8 rows dated before 1000 or after 9000, "
                            r"such as 9999-12-31")),
    Case("placeholder date 0001-01-01", csv(rows=with_col(1, ["0001-01-01"] + [r[1] for r in
         ROWS[1:]])), (InvalidValueError, r"1 of 8 rows dated before 1000.*0001-01-01")),
    Case("empty timestamp", csv(rows=with_col(1, [r[1] for r in ROWS[:-1]] + [""])),
         (NullValueError, r"column 'date' \(time_col\) has 1 of 8 rows with a missing timestamp")),
    Case("aware as-of on a naive log", csv(), (TimezoneMismatchError, r"time-zone aware.*naive"),
         {"--as-of": "2024-03-31T00:00:00+00:00"}),
    Case("unparseable as-of", csv(), (InvalidValueError, r"--as-of 'soon' is not a date; "
                                      r"expected a date such as 1997-09-30"),
         {"--as-of": "soon"}, cli_only=True),
    Case("as-of before the first transaction", csv(),
         (EmptyDataError, r"no transaction in column 'date' is on or before 2023-01-01"),
         {"--as-of": "2023-01-01"}),
    # --- amounts --------------------------------------------------------------------------
    Case("text amount", csv(rows=with_col(2, ["ten"] + [r[2] for r in ROWS[1:]])),
         (InvalidDtypeError, r"column 'amount' \(amount_col\) has dtype String; expected a "
                             r"numeric")),
    Case("decimal commas without --decimal", csv(rows=with_col(2, ["10,50"] * 8), sep=";"),
         (InvalidDtypeError, r"decimal comma.*--decimal ,")),
    Case("missing amount", csv(rows=with_col(2, [""] + [r[2] for r in ROWS[1:]])),
         (InvalidValueError, r"column 'amount' \(amount_col\) has 1 of 8 rows with a NaN.*empty "
                             r"cell")),
    Case("infinite amount", csv(rows=with_col(2, ["inf"] + [r[2] for r in ROWS[1:]])),
         (InvalidValueError, r"1 of 8 rows with a NaN or infinite amount")),
    Case("NaN amount", csv(rows=with_col(2, ["NaN"] + [r[2] for r in ROWS[1:]])),
         (InvalidValueError, r"1 of 8 rows with a NaN or infinite amount")),
    Case("boolean amount", csv(rows=with_col(2, ["true", "false"] * 4)),
         (InvalidDtypeError, r"column 'amount' \(amount_col\) has dtype Boolean")),
    Case("amounts too large to sum exactly", lambda tmp: csv_bytes(
         rows=[("a", "2024-01-01", "10000000000000.25")] * 5000),
         (InvalidValueError, r"column 'amount' \(amount_col\): the amounts add up to")),
    # --- ids and names --------------------------------------------------------------------
    Case("missing customer id", csv(rows=with_col(0, ["a", ""] + [r[0] for r in ROWS[2:]])),
         (NullValueError, r"column 'customer_id' \(customer_col\) has 1 of 8 rows with a "
                          r"missing customer id.*row: 1")),
    Case("all ids missing", csv(rows=with_col(0, [""] * 8)),
         (NullValueError, r"8 of 8 rows with a missing customer id")),
    Case("missing id with a column named row", csv(
         rows=[(r[0] if i else "", r[1], r[2] + ",7") for i, r in enumerate(ROWS)],
         header=HEADER + ",row"),
         (NullValueError, r"1 of 8 rows.*\{row_number: 0, customer_id: null")),
    Case("amount twice in the header", csv(rows=[(*r, "1") for r in ROWS],
                                           header=HEADER + ",amount"),
         (InvalidValueError, r"header names 1 column\(s\) more than once: 'amount'")),
    Case("id column named tier", csv(header="tier,date,amount"),
         (InvalidValueError, r"column 'tier' \(customer_col\) has the name of a column custseg "
                             r"writes.*--customer-col"), {"--customer-col": "tier"}),
    Case("id column named action", csv(header="action,date,amount"),
         (InvalidValueError, r"column 'action' \(customer_col\)"), {"--customer-col": "action"}),
    Case("id column named rfm_segment", csv(header="rfm_segment,date,amount"),
         (InvalidValueError, r"'rfm_segment'"), {"--customer-col": "rfm_segment"}),
    Case("id column named value_score", csv(header="value_score,date,amount"),
         (InvalidValueError, r"'value_score' \(customer_col\) has the name of a column"),
         {"--customer-col": "value_score"}),
    Case("id column named churn_risk", csv(header="churn_risk,date,amount"),
         (InvalidValueError, r"'churn_risk' \(customer_col\)"), {"--customer-col": "churn_risk"}),
    Case("id column named lifecycle_stage", csv(header="lifecycle_stage,date,amount"),
         (InvalidValueError, r"'lifecycle_stage' \(customer_col\)"),
         {"--customer-col": "lifecycle_stage"}),
    Case("id column named frequency", csv(header="frequency,date,amount"),
         (InvalidValueError, r"'frequency' \(customer_col\)"), {"--customer-col": "frequency"}),
    Case("id column named churned", csv(header="churned,date,amount"),
         (InvalidValueError, r"'churned' \(customer_col\)"), {"--customer-col": "churned"}),
    Case("id column named stage", csv(header="stage,date,amount"),
         (InvalidValueError, r"'stage' \(customer_col\)"), {"--customer-col": "stage"}),
    Case("amount column named __amt", csv(header="customer_id,date,__amt"),
         (InvalidValueError, r"column '__amt' \(amount_col\) starts with '__'"),
         {"--amount-col": "__amt"}),
    Case("one column for two roles", csv(), (InvalidValueError, r"both name column 'date'"),
         {"--amount-col": "date"}),
    Case("wrong amount column name", csv(header="customer_id,date,amt"),
         (MissingColumnError, r"column 'amount' \(amount_col\) is not in the table\. Did you "
                              r"mean 'amt'\?")),
    Case("semicolon file read with --sep ,", csv(sep=";"),
         (MissingColumnError, r"one column whose name holds ';'.*--sep ';'"), {"--sep": ","}),
    Case("tab file read with --sep ,", csv(sep="\t"),
         (MissingColumnError, r"holds '\\t'.*--sep"), {"--sep": ","}),
    Case("one column only", "customer_id\na\nb\n",
         (MissingColumnError, r"column 'date' \(time_col\) is not in the table")),
    Case("separator ambiguous", "customer_id;date,amount;x\na;2024-01-01,1;2\nb;2024-01-02,3;4\n",
         (FileFormatError, r"both ',' and ';' split every line.*--sep")),
    Case("decimal mark equal to the separator", csv(), (InvalidValueError,
         r"decimal mark ',' is also the field separator"), {"--decimal": ",", "--sep": ","}),
    # --- malformed CSV --------------------------------------------------------------------
    Case("ragged row", csv() + "f,2024-01-01,1.0,extra,fields\n",
         (FileFormatError, r"is not a well-formed CSV table.*line 10")),
    Case("unclosed quote", csv() + 'f,"2024-01-01,1.0\ng,2024-01-02,2.0\n',
         (FileFormatError, r"is not a well-formed CSV table")),
    Case("header only", HEADER + "\n", (EmptyDataError, r"has a header \(customer_id, date, "
                                                         r"amount\) but 0 rows")),
    Case("empty file", b"", (EmptyDataError, r"is empty \(0 bytes\)")),
    Case("blank lines only", "\n\n  \n", (EmptyDataError, r"has no rows or header")),
    Case("missing file", None, (MissingFileError, r"transaction file not found")),
    Case("a folder as input", lambda tmp: "folder", (InvalidValueError, r"is not a file")),
    # --- encodings ------------------------------------------------------------------------
    Case("latin-1 without --encoding", csv(rows=with_col(0, ["é"] * 8)).encode("latin-1"),
         (FileFormatError, r"is not UTF-8 text \(byte 0xe9.*--encoding")),
    Case("unknown encoding", csv(), (FileFormatError, r"unknown encoding 'klingon'"),
         {"--encoding": "klingon"}),
    Case("UTF-8 BOM then invalid bytes", b"\xef\xbb\xbf" + csv_bytes() + b"\xff\xfe\xfa",
         (FileFormatError, r"UTF-8-SIG byte-order mark but is not valid")),
    # --- other files ----------------------------------------------------------------------
    Case("truncated gzip", lambda tmp: gzip.compress(csv_bytes() * 50)[:60],
         (FileFormatError, r"looks gzip-compressed but does not decompress")),
    Case("gzip of gzip", gzip.compress(gzip.compress(csv_bytes())),
         (FileFormatError, r"compressed twice")),
    Case("truncated xz", lambda tmp: lzma.compress(csv_bytes() * 50)[:40],
         (FileFormatError, r"looks xz-compressed")),
    Case("excel workbook", lambda tmp: zip_bytes(), (FileFormatError, r"zip archive.*\.xlsx")),
    Case("old excel file", b"\xd0\xcf\x11\xe0" + bytes(100), (FileFormatError, r"old Excel")),
    Case("pdf", b"%PDF-1.7\n" + bytes(100), (FileFormatError, r"a PDF document")),
    Case("png", b"\x89PNG\r\n\x1a\n" + bytes(100), (FileFormatError, r"a PNG image")),
    Case("pickle", pickle.dumps(frame(), protocol=4), (FileFormatError, r"a Python pickle")),
    Case("sqlite", sqlite_bytes, (FileFormatError, r"an SQLite database")),
    Case("binary garbage", bytes(range(256)) * 8, (FileFormatError, r"binary data")),
    Case("json", '[{"customer_id": "a", "date": "2024-01-01", "amount": 1}]',
         (FileFormatError, r"looks like JSON")),
    Case("html", "<html><body><table></table></body></html>",
         (FileFormatError, r"looks like HTML or XML")),
    Case("truncated parquet", lambda tmp: parquet_bytes()[:-30],
         (FileFormatError, r"starts like a parquet file but cannot be read"), suffix=".parquet"),
    Case("truncated arrow", lambda tmp: arrow_bytes()[:-40],
         (FileFormatError, r"starts like an Arrow IPC file but cannot be read"),
         suffix=".arrow"),
    # --- outputs (command line) -----------------------------------------------------------
    Case("unknown output format", csv(), (InvalidValueError, r"unknown output format '\.xlsx'"),
         {"-o": "out.xlsx"}, cli_only=True),
    Case("output folder missing", csv(), (OutputError, r"folder .* does not exist"),
         {"-o": "missing/out.csv"}, cli_only=True),
    Case("output is a folder", csv(), (OutputError, r"is a folder"), {"-o": "."},
         cli_only=True),
    Case("bad --n-clusters", csv(), (InvalidValueError, r"--n-clusters 'many' must be"),
         {"--n-clusters": "many"}, cli_only=True),
    # --- handled: every customer kept -----------------------------------------------------
    Case("ids NA None null nan", csv(rows=with_col(0, ["NA", "NA", "None", "None", "null",
         "nan", "nan", "N/A"])), Kept(5)),
    Case("leading zeros kept", csv(rows=with_col(0, ["007", "007", "07", "07", "7", "0", "0",
         "00"])), Kept(5)),
    Case("extra column named row", csv(rows=[(*r, "1") for r in ROWS], header=HEADER + ",row"),
         Kept(N)),
    Case("extra column named tier", csv(rows=[(*r, "x") for r in ROWS], header=HEADER + ",tier"),
         Kept(N)),
    Case("utf-8 bom", b"\xef\xbb\xbf" + csv_bytes(), Kept(N)),
    Case("utf-16 le bom", csv().encode("utf-16"), Kept(N)),
    Case("utf-16 be bom", b"\xfe\xff" + csv().encode("utf-16-be"), Kept(N)),
    Case("utf-16 without bom", csv().encode("utf-16-le"), Kept(N)),
    Case("latin-1 with --encoding", csv(rows=with_col(0, ["é"] * 2 + ["b"] * 6)).encode(
         "latin-1"), Kept(2), {"--encoding": "latin-1"}),
    Case("crlf line ends", csv(newline="\r\n"), Kept(N)),
    Case("quoted fields", csv(rows=[(f'"{r[0]}, inc."', r[1], f'"{r[2]}"') for r in ROWS]),
         Kept(N)),
    Case("semicolons sniffed", csv(sep=";"), Kept(N)),
    Case("tabs sniffed", csv(sep="\t"), Kept(N)),
    Case("pipes sniffed", csv(sep="|"), Kept(N)),
    Case("decimal commas with --decimal ,", csv(rows=with_col(2, ["10,50"] * 8), sep=";"),
         Kept(N), {"--decimal": ","}),
    Case("gzip named .csv", gzip.compress(csv_bytes()), Kept(N)),
    Case("zstd", lambda tmp: _zstd(csv_bytes()), Kept(N), suffix=".csv.zst"),
    Case("bz2", bz2.compress(csv_bytes()), Kept(N)),
    Case("xz", lzma.compress(csv_bytes()), Kept(N)),
    Case("parquet named .csv", lambda tmp: parquet_bytes(), Kept(N)),
    Case("parquet with dictionary ids", lambda tmp: parquet_bytes(dictionary=True), Kept(N),
         suffix=".parquet"),
    Case("arrow ipc file", lambda tmp: arrow_bytes(), Kept(N), suffix=".arrow"),
    Case("arrow ipc stream", lambda tmp: arrow_bytes(stream=True), Kept(N), suffix=".arrows"),
    Case("feather v1", lambda tmp: feather1_bytes(), Kept(N), suffix=".feather"),
    Case("utc offsets", csv(rows=with_col(1, [r[1] + "T10:00:00+01:00" for r in ROWS[:-1]] +
         ["2024-01-20T09:00:00Z"])), Kept(N)),
    Case("aware as-of on an aware log", csv(rows=with_col(1, [r[1] + "T10:00:00Z" for r in
         ROWS])), Kept(N), {"--as-of": "2024-03-31T00:00:00+00:00"}),
    Case("explicit format with %z", csv(rows=with_col(1, [r[1] + "T10:00:00" + z for r, z in zip(
         ROWS, ["+01:00", "+0000", "-05:00"] * 3, strict=False)])), Kept(N),
         {"--time-format": "%Y-%m-%dT%H:%M:%S%z"}),
    Case("explicit day-first format", csv(rows=with_col(1, [
         pd.Timestamp(r[1]).strftime("%d/%m/%Y") for r in ROWS])), Kept(N),
         {"--time-format": "%d/%m/%Y"}),
    Case("trailing blank lines", csv() + "\n\n", Kept(N)),
    Case("header with spaces", csv(header="customer_id, date, amount"), Kept(N)),
    Case("large sums stay exact", csv(rows=with_col(2, ["5000000000000"] * 8)), Kept(N)),
    # --- small and odd logs: the stages that can be learnt, a warning for the others -----
    Case("one customer", tiny(["a"] * 4, [0, 10, 50, 200], [1.0] * 4), Kept(1, warns=True)),
    Case("one row", tiny(["a"], [0], [1.0]), Kept(1, warns=True)),
    Case("two customers", tiny(["a"] * 3 + ["b"] * 3, [0, 10, 200, 5, 100, 150], [1.0] * 6),
         Kept(2, warns=True)),
    Case("fourteen rows", tiny(list("aabbccddeeffgg"), [0, 200, 3, 150, 10, 20, 30, 180, 60,
         61, 100, 190, 5, 6], [1.0 + i for i in range(14)]), Kept(7, warns=False)),
    Case("all refunds", tiny(list("aabbcc"), [0, 100, 10, 20, 150, 200], [-1.0] * 6),
         Kept(3, warns=True)),
    Case("log shorter than the churn horizon", tiny(list("aabbccdd"), [0, 10, 3, 15, 1, 20,
         5, 25], [1.0] * 8), Kept(4, warns=True)),
    Case("features all undefined", tiny(list("abcde"), [0, 1, 2, 3, 4], [0.0] * 5),
         Kept(5, warns=True)),
]


def _zstd(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def write_case(case: Case, tmp: Path) -> Path:
    """Write the case's file in ``tmp`` and return its path (a missing one for no data)."""
    path = tmp / f"input{case.suffix}"
    data = case.data(tmp) if callable(case.data) else case.data
    if data is None:
        return tmp / "no-such-file.csv"
    if data == "folder":
        path.mkdir()
        return path
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path
