"""Text timestamps: ISO 8601 by default, an explicit format otherwise, never a guess.

A text timestamp column is parsed with one of these rules:

* ``time_format=None``: ISO 8601 only, year first: ``2024-01-31``,
  ``2024-01-31 14:05``, ``2024-01-31T14:05:09.250``, optionally followed by a UTC
  offset (``Z``, ``+01:00``, ``-0500``). Timestamps with an offset are converted
  to UTC and the column becomes time-zone aware (UTC); a column that mixes rows
  with and without an offset is refused, since a timestamp without an offset has
  no known instant. Slash dates (``1/2/2024``), day names, month names and any
  other form are refused: ``1/2/2024`` is 1 February in Europe and 2 January in
  the United States, and custseg never guesses which.
* ``time_format="%d/%m/%Y"`` (any ``strftime`` format): exactly that format; a
  format with ``%z`` gives UTC-aware timestamps.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

__all__ = ["ISO_EXAMPLES", "duration_words", "moment_words", "parse_text_times",
           "time_format_advice", "unparsed_rows"]

ISO_EXAMPLES = "'2024-01-31', '2024-01-31 14:05:00' or '2024-01-31T14:05:00+01:00'"
_NAIVE = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S%.f")
_AWARE = ("%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%.f%z")
AWARE_FLAG = "__aware"


def duration_words(delta: Any) -> str:
    """A duration in words: ``'17 days'``, ``'2 days 6 hours'``, ``'45 minutes'``.

    Examples
    --------
    >>> import datetime as dt
    >>> duration_words(dt.timedelta(days=17)), duration_words(dt.timedelta(hours=54.5))
    ('17 days', '2 days 6 hours 30 minutes')
    """
    seconds = round(delta.total_seconds())
    sign, seconds = ("minus " if seconds < 0 else ""), abs(seconds)
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' * (count != 1)}")
    return sign + (" ".join(parts) if parts else "0 seconds")


def moment_words(moment: Any, date_only: bool = False) -> str:
    """A date (``'2024-04-20'``) or a moment (``'2024-04-20 10:30:00'``) as text.

    Examples
    --------
    >>> import datetime as dt
    >>> moment_words(dt.datetime(2024, 4, 20)), moment_words(dt.datetime(2024, 4, 20, 10))
    ('2024-04-20', '2024-04-20 10:00:00')
    """
    if date_only or (moment.hour, moment.minute, moment.second, moment.microsecond) == (
            0, 0, 0, 0):
        return str(moment.date())
    return moment.isoformat(sep=" ")


def time_format_advice(time_format: str | None) -> str:
    """The part of a message that says what was expected and how to say otherwise."""
    if time_format:
        return (f"in format {time_format!r} (time_format= / --time-format); check the "
                "format against these rows")
    return (f"in ISO 8601 form ({ISO_EXAMPLES}); custseg does not guess other forms: "
            "for these pass time_format= in Python or --time-format on the command line, "
            "e.g. '%d/%m/%Y' for 31/01/2024 or '%m/%d/%Y' for 01/31/2024")


def _normalised(col: str) -> pl.Expr:
    text = pl.col(col).str.strip_chars()
    text = text.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})\s+", "${1}T")
    text = text.str.replace(r"\s*[Zz]$", "+00:00")
    return text.str.replace(r"\s+([+-]\d{2}:?\d{2})$", "${1}")


def _iso(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(naive UTC-or-local datetime, whether the row carried an offset) for ISO text."""
    text = _normalised(col)
    naive = pl.coalesce([text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE])
    aware = pl.coalesce([
        text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
        .dt.replace_time_zone(None) for f in _AWARE
    ])
    return pl.coalesce([naive, aware]), naive.is_null() & aware.is_not_null()


def _formatted(col: str, time_format: str) -> tuple[pl.Expr, pl.Expr]:
    parsed = pl.col(col).str.strip_chars().str.to_datetime(
        format=time_format, strict=False, time_unit="us")
    if "%z" in time_format or "%:z" in time_format:
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return parsed, parsed.is_not_null()
    return parsed, pl.lit(False)


def _parsed(col: str, time_format: str | None) -> tuple[pl.Expr, pl.Expr]:
    return _formatted(col, time_format) if time_format else _iso(col)


def parse_text_times(
    frame: nw.LazyFrame[Any], col: str, time_format: str | None, *, raw_name: str
) -> nw.LazyFrame[Any]:
    """Parse text column ``col`` into naive microsecond datetimes, keeping the text.

    Adds ``raw_name`` (the text) and, for polars frames, ``__aware`` (whether the
    row carried a UTC offset: its datetime is then in UTC). The caller counts the
    rows that did not parse (text present, datetime null) and the aware rows, and
    makes the column UTC-aware when every row had an offset (:func:`as_utc`).
    Other lazy engines parse ISO 8601 strictly with their own cast.
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        parsed, aware = _parsed(col, time_format)
        return nw.from_native(native.with_columns(
            pl.col(col).alias(raw_name), parsed.alias(col), aware.alias(AWARE_FLAG)))
    expr = (
        nw.col(col).cast(nw.Datetime("us"))
        if time_format is None
        else nw.col(col).str.to_datetime(format=time_format).cast(nw.Datetime("us"))
    )
    return frame.with_columns(nw.col(col).alias(raw_name), expr)


def as_utc(frame: nw.LazyFrame[Any], col: str) -> nw.LazyFrame[Any]:
    """Mark the naive datetimes of ``col`` (UTC wall times) as UTC-aware."""
    return frame.with_columns(nw.col(col).dt.replace_time_zone("UTC"))


def unparsed_rows(
    frame: nw.LazyFrame[Any], col: str, time_format: str | None
) -> nw.LazyFrame[Any]:
    """The rows of ``frame`` whose text in ``col`` does not parse (polars frames only)."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        parsed, _ = _parsed(col, time_format)
        return nw.from_native(native.filter(pl.col(col).is_not_null() & parsed.is_null()))
    return frame.head(0)


def mixed_offset_rows(frame: nw.LazyFrame[Any], col: str, with_offset: bool,
                      time_format: str | None) -> nw.LazyFrame[Any]:
    """Rows of ``frame`` whose text in ``col`` has (or lacks) a UTC offset (polars only)."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        parsed, aware = _parsed(col, time_format)
        keep = aware if with_offset else (parsed.is_not_null() & ~aware)
        return nw.from_native(native.filter(keep))
    return frame.head(0)
