"""Reading a transaction file: told by its content, read as it is, refused in words."""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path
from typing import Any, BinaryIO

from ..exceptions import EmptyDataError, FileFormatError, InvalidValueError, MissingFileError
from ._names import duplicated
from ._sniff import COMPRESSED, decode, delimiter, describe, sniff

__all__ = ["read_transactions"]

# Missing-value markers for every column but the customer id (pandas' own list): a
# customer called "NA", "None", "null" or "nan" is a customer; only an empty id is missing.
_NA = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
       "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


def _source_bytes(path: str | Path, stdin: BinaryIO | None) -> tuple[bytes, str]:
    """The whole content of ``path`` (``"-"``: standard input) and its name for messages."""
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read()
        if not data:
            raise EmptyDataError("standard input is empty (0 bytes); expected a transaction "
                                 "table.")
        return data, "standard input"
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"transaction file not found: {path}")
    if not path.is_file():
        raise InvalidValueError(f"{path} is not a file.")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FileFormatError(f"{path} cannot be read: {err.strerror or err}.") from None
    if not data:
        raise EmptyDataError(f"transaction file {path} is empty (0 bytes).")
    return data, str(path)


def _decompress(data: bytes, kind: str, name: str) -> bytes:
    import pyarrow as pa

    codec = {"gzip": "gzip", "zstd": "zstd", "bz2": "bz2", "xz": None}[kind]
    try:
        if codec is None:
            import lzma

            return lzma.decompress(data)
        return pa.input_stream(pa.py_buffer(data), compression=codec).read()
    except Exception as err:  # each codec raises its own type on a truncated stream
        raise FileFormatError(
            f"{name} looks {kind}-compressed but does not decompress ({type(err).__name__}: "
            f"{' '.join(str(err).split())[:80]}); the file may be truncated."
        ) from None


def _arrow_table(data: bytes, kind: str, name: str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = pa.py_buffer(data)
    try:
        if kind == "parquet":
            return pq.read_table(pa.BufferReader(buf))
        if kind == "arrow":
            return pa.ipc.open_file(buf).read_all()
        if kind == "arrow-stream":
            return pa.ipc.open_stream(buf).read_all()
        import warnings

        import pyarrow.feather as feather

        with warnings.catch_warnings():
            # pyarrow deprecates writing Feather v1; such files still need reading.
            warnings.simplefilter("ignore", DeprecationWarning)
            return feather.read_table(pa.BufferReader(buf))
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... on a bad file
        what = {"parquet": "a parquet", "arrow": "an Arrow IPC", "arrow-stream":
                "an Arrow IPC stream", "feather1": "a Feather v1"}[kind]
        raise FileFormatError(
            f"{name} starts like {what} file but cannot be read "
            f"({' '.join(str(err).split())[:100]}); the file may be truncated or damaged."
        ) from None


def _header(text: str, sep: str) -> list[str]:
    import csv

    lines = text[:65536].splitlines()[:1]
    try:
        first = next(csv.reader(lines, delimiter=sep), [])
    except csv.Error:
        return []  # the parser itself reports the malformed header
    return [field.strip() for field in first]


def _csv(text: str, name: str, customer_col: str, sep: str | None, decimal: str,
         read_kwargs: dict[str, Any]) -> Any:
    import pandas as pd

    if sep is None:
        sep = delimiter(text[:65536], name)
    if decimal == sep:
        raise InvalidValueError(
            f"the decimal mark {decimal!r} is also the field separator; pass another "
            "separator (sep= / --sep, e.g. ';')."
        )
    header = _header(text, sep)
    twice = duplicated(header)
    if twice:
        raise InvalidValueError(
            f"{name}: the header names {len(twice)} column(s) more than once: "
            f"{', '.join(repr(n) for n in twice)}; custseg cannot tell which one to use. "
            "Rename or drop the extra column(s)."
        )
    na = {col: _NA if col != customer_col else [""] for col in header}
    # index_col=False: a header shorter than the rows must not turn the first column into
    # the index (pandas' default), which would shift every name onto the wrong column.
    options: dict[str, Any] = dict(sep=sep, decimal=decimal, dtype={customer_col: str},
                                   keep_default_na=False, na_values=na, index_col=False)
    options.update(read_kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserWarning:
        raise FileFormatError(
            f"{name}: the header has {len(header)} field(s) ({', '.join(header)}) but some "
            f"rows have more (separator {sep!r}); custseg does not guess which values belong "
            "to which column. Fix the header or the rows."
        ) from None
    except pd.errors.EmptyDataError:
        raise EmptyDataError(f"transaction file {name} has no rows or header.") from None
    except (pd.errors.ParserError, ValueError, UnicodeError) as err:
        detail = " ".join(str(err).split())
        raise FileFormatError(
            f"{name} is not a well-formed CSV table with separator {sep!r}: {detail}. Check "
            "the separator (sep= / --sep) and the quoting of that line."
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame) == 0:
        raise EmptyDataError(
            f"transaction file {name} has a header ({', '.join(frame.columns)}) but 0 rows; "
            "expected at least one transaction."
        )
    return frame


def read_transactions(
    path: str | Path,
    *,
    customer_col: str = "customer_id",
    as_frame: str = "pandas",
    sep: str | None = None,
    decimal: str = ".",
    encoding: str | None = None,
    stdin: BinaryIO | None = None,
    **read_kwargs: Any,
) -> Any:
    """Read a transaction file (CSV, parquet or Arrow IPC/Feather) keeping ids as text.

    What the file holds is told from its content, never from its name: CSV text
    (UTF-8 with or without a byte-order mark, or UTF-16/32 with one), optionally
    compressed with gzip, zstd, bz2 or xz; parquet; Arrow IPC (Feather v2), an
    Arrow IPC stream, or Feather v1. Anything else is refused with
    :class:`~custseg.exceptions.FileFormatError` saying what the file looks like.

    In a CSV file the customer id column is read as text, so ``"00001"`` stays
    ``"00001"`` and a customer called ``NA``, ``None``, ``null`` or ``nan`` is a
    customer (in the other columns these mark missing values). Timestamps stay
    text; :func:`custseg.io.check_transactions` parses them (ISO 8601, or
    ``time_format=``). Validation happens later, in the feature builders.

    Parameters
    ----------
    path : str or Path
        The file, or ``"-"`` for standard input.
    customer_col : str, default="customer_id"
        Column to read as text (CSV only; parquet and Arrow keep their stored types).
    as_frame : {"pandas", "polars"}, default="pandas"
        Kind of frame to return.
    sep : str, optional
        CSV field separator. Default: found from the first lines among ``,``, ``;``,
        tab and ``|``; when two fit equally, a :class:`FileFormatError` asks for it.
    decimal : str, default="."
        Decimal mark of the CSV's numbers (``","`` for ``12,50``).
    encoding : str, optional
        Text encoding of a CSV without a byte-order mark (default: UTF-8).
    stdin : binary file, optional
        Stream read for ``path="-"`` (default: the process's standard input).
    **read_kwargs
        Passed to :func:`pandas.read_csv` (CSV only).

    Returns
    -------
    DataFrame
        The file's rows as they are.

    Raises
    ------
    custseg.exceptions.MissingFileError
        The file does not exist (also a :class:`FileNotFoundError`).
    custseg.exceptions.EmptyDataError
        The file is empty, or a CSV has a header but no rows.
    custseg.exceptions.FileFormatError
        The file is not a table custseg reads, or not a well-formed one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custseg.io import read_transactions
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text("customer_id;date;amount\\n007;2024-01-01;9,5\\n")
    >>> table = read_transactions(folder / "log.csv", decimal=",")
    >>> table["customer_id"].tolist(), table["amount"].tolist()
    (['007'], [9.5])
    """
    if as_frame not in ("pandas", "polars"):
        raise InvalidValueError(f"as_frame={as_frame!r} is not one of ('pandas', 'polars').")
    data, name = _source_bytes(path, stdin)
    kind = sniff(data[:16])
    if kind in COMPRESSED.values():
        data = _decompress(data, kind, name)
        if not data:
            raise EmptyDataError(f"transaction file {name} decompresses to 0 bytes.")
        kind = sniff(data[:16])
        if kind in COMPRESSED.values():
            raise FileFormatError(f"{name} is compressed twice; decompress it once first.")
    if kind.startswith("other:"):
        raise FileFormatError(
            f"{name} is not a table custseg reads: it looks like {describe(data[:64])}. "
            "custseg reads CSV, parquet and Arrow IPC/Feather files (save a spreadsheet as "
            "CSV first)."
        )
    if kind != "text":
        table = _arrow_table(data, kind, name)
        import polars as pl

        frame = pl.from_arrow(table)
        return frame if as_frame == "polars" else table.to_pandas()
    text = decode(data, name, encoding)
    if "\x00" in text:
        raise FileFormatError(
            f"{name} holds NUL characters, so it is not text in the encoding it was read with "
            f"({encoding or 'found from its byte-order mark, else UTF-8'}); it looks like "
            f"{describe(data[:64])}, or text in another encoding (pass --encoding / "
            "encoding=)."
        )
    if not text.strip():
        raise EmptyDataError(f"transaction file {name} has no rows or header.")
    if text.lstrip()[:1] in ("{", "[", "<"):
        raise FileFormatError(
            f"{name} is not a table custseg reads: it looks like "
            f"{describe(text.lstrip()[:1].encode())}. custseg reads CSV, parquet and Arrow "
            "IPC/Feather files."
        )
    frame = _csv(text, name, customer_col, sep, decimal, read_kwargs)
    if as_frame == "polars":
        import polars as pl

        return pl.from_pandas(frame)
    return frame
