"""Validation of a transaction log: the one boundary every public entry point crosses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._advice import role as _role
from .._frame import FrameInfo, collect_small, to_lazy
from .._frame_hooks import with_row_number
from ..exceptions import (
    EmptyDataError,
    FutureTimestampError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
    NegativeAmountError,
    NullValueError,
    TimestampParseError,
    TimezoneMismatchError,
    names_text,
)
from ._dates import (
    AWARE_FLAG,
    as_utc,
    mixed_offset_rows,
    parse_text_times,
    time_format_advice,
    unparsed_rows,
)
from ._money import MoneyScale, money_scale, money_stats
from ._names import INTERNAL_PREFIX, duplicated, is_output_column

__all__ = ["Transactions", "check_transactions", "parse_date"]

# Internal column names used by the feature code; the caller's names are restored on output.
CID, TIME, AMOUNT, ORDER, QTY, PRODUCT = "__cid", "__t", "__amt", "__order", "__qty", "__product"
_N_EXAMPLES = 3
RETURNS_POLICIES = ("net", "drop", "error")
FUTURE_POLICIES = ("error", "drop")
# Timestamps outside these years are refused: placeholders such as 9999-12-31 or 0001-01-01,
# too close to the ends of the calendar for the dates computed from them (horizons, windows).
FIRST_YEAR, LAST_YEAR = 1000, 9000


@dataclass(frozen=True)
class Transactions:
    """A validated transaction log, in custseg's internal column names.

    Produced by :func:`check_transactions`. Every function and estimator that
    reads a transaction log (the feature builders, ``churn_labels``, the
    lifecycle stager, cohorts, baskets, :class:`~custseg.pipeline.CustomerSegmentation`)
    takes it in place of a table, as it is: validate a log once and hand the
    result to every stage. Its column names and refund policy are those it was
    validated with; an ``observation_date`` given with it cuts it there.

    Attributes
    ----------
    frame : narwhals.LazyFrame
        Columns ``__cid``, ``__t`` (datetime, microseconds), ``__amt`` (float) and,
        when given, ``__order``, ``__qty``, ``__product``. Rows after the observation
        date are already removed when ``future="drop"``.
    info : FrameInfo
        The caller's kind of frame, to return results in the same kind.
    customer_col, time_col, amount_col : str
        The caller's column names.
    order_col, quantity_col, product_col : str or None
        The caller's optional column names.
    n_rows : int
        Rows in the caller's table.
    n_negative : int
        Rows with a negative amount (refunds).
    min_time, max_time : datetime.datetime
        First and last timestamp in the caller's table.
    observation_date : datetime.datetime
        The resolved observation date (see :func:`check_transactions`).
    date_only : bool
        Whether the observation date was given as a calendar day (it then covers
        the whole day).
    time_zone : str or None
        Time zone of the timestamps, ``None`` for naive timestamps.
    money : MoneyScale
        How amounts are summed exactly (see :mod:`custseg.io._money`).
    """

    frame: nw.LazyFrame[Any]
    info: FrameInfo
    customer_col: str
    time_col: str
    amount_col: str
    order_col: str | None
    quantity_col: str | None
    product_col: str | None
    n_rows: int
    n_negative: int
    min_time: dt.datetime
    max_time: dt.datetime
    observation_date: dt.datetime
    date_only: bool
    time_zone: str | None
    money: MoneyScale = field(default_factory=MoneyScale)

    @property
    def cutoff(self) -> dt.datetime:
        """Exclusive upper bound of the transactions that count.

        The end of the observation day when the date was given as a day, otherwise
        just after the observation timestamp.
        """
        return _exclusive_end(self.observation_date, self.date_only)

    def before(self, when: dt.datetime, *, date_only: bool) -> Transactions:
        """Return the same log cut at a new observation date (rows after it dropped).

        An aware ``when`` is expressed in the column's time zone first, as
        :func:`check_transactions` does with an observation date.
        """
        when = _in_column_zone(when, self.time_zone, self.max_time, self.time_col,
                               self.info.naive_zone)
        frame = self.frame.filter(nw.col(TIME) < nw.lit(_exclusive_end(when, date_only)))
        return replace(self, frame=frame, observation_date=when, date_only=date_only)


def parse_date(value: Any, *, name: str = "observation_date") -> tuple[dt.datetime, bool]:
    """Parse a date-like value into ``(datetime, date_only)``.

    ``date_only`` is true when ``value`` names a calendar day (a ``datetime.date``,
    a string without a time, or a timestamp at exactly midnight): such a date covers
    the whole day, so transactions on that day count.

    Examples
    --------
    >>> parse_date("1997-09-30")
    (datetime.datetime(1997, 9, 30, 0, 0), True)
    >>> parse_date("1997-09-30 12:30")
    (datetime.datetime(1997, 9, 30, 12, 30), False)
    """
    if isinstance(value, dt.datetime) or isinstance(value, pd.Timestamp):
        ts = pd.Timestamp(value)
    elif isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), True
    elif isinstance(value, str | int):
        try:
            ts = pd.Timestamp(value) if isinstance(value, str) else pd.Timestamp(str(value))
        except (ValueError, TypeError) as err:
            if name.startswith("--"):  # the command line's words
                raise InvalidValueError(
                    f"{name} '{value}' is not a date; expected a date such as 1997-09-30 or "
                    "a moment such as 1997-09-30T14:00:00 (optionally with +01:00)."
                ) from err
            raise InvalidValueError(
                f"{name}={value!r} is not a date; expected a date such as '1997-09-30', "
                "a datetime.date or a datetime.datetime."
            ) from err
    else:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as err:
            raise InvalidValueError(
                f"{name}={value!r} is not a date; expected a date such as '1997-09-30', "
                "a datetime.date or a datetime.datetime."
            ) from err
    if pd.isna(ts):
        raise InvalidValueError(f"{name} is missing (NaT); expected a date.")
    py = ts.to_pydatetime()
    midnight = py.hour == 0 and py.minute == 0 and py.second == 0 and py.microsecond == 0
    return py, midnight


def _align_tz(when: dt.datetime, tz: str | None, name: str, time_col: str) -> dt.datetime:
    flag = _role(name)
    cli = flag.startswith("--")
    if tz is None and when.tzinfo is not None:
        raise TimezoneMismatchError(
            f"{flag}{' ' if cli else '='}{when.isoformat()} is time-zone aware but column "
            f"'{time_col}' holds naive timestamps (no UTC offset); "
            + (f"pass a date without an offset, e.g. {flag} {when.date()}." if cli else
               "pass a naive date or localise the column.")
        )
    if tz is not None and when.tzinfo is None:
        raise TimezoneMismatchError(
            f"column '{time_col}' holds timestamps in time zone '{tz}' but {flag}"
            f"{' ' if cli else '='}{when.isoformat()} is naive; "
            + (f"pass a date with an offset, e.g. {flag} {when.date()}T00:00:00+00:00."
               if cli else f"pass an aware date, e.g. pd.Timestamp('{when.date()}', "
               f"tz='{tz}').")
        )
    return when


def _resolve_observation(
    observation_date: Any, tmax: dt.datetime, time_zone: str | None, time_col: str,
    naive_zone: str | None = None,
) -> tuple[dt.datetime, bool]:
    """The observation date and its ``date_only`` flag, as :func:`check_transactions` sets them.

    Default: the last timestamp ``tmax``. An aware date is expressed in the
    column's time zone; a naive date with an aware column (or the reverse) raises
    :class:`TimezoneMismatchError`.
    """
    if observation_date is None:
        return _align_tz(tmax, time_zone, "observation_date", time_col), False
    obs, date_only = parse_date(observation_date)
    return _in_column_zone(obs, time_zone, tmax, time_col, naive_zone), date_only


def _in_column_zone(
    when: dt.datetime, time_zone: str | None, tmax: dt.datetime, time_col: str,
    naive_zone: str | None = None,
) -> dt.datetime:
    """``when`` expressed in the time zone of the column (whose last timestamp is ``tmax``).

    A naive date with an aware column (or the reverse) raises
    :class:`TimezoneMismatchError`, except that a naive date is read in
    ``naive_zone`` when the column is in that zone (Spark's ``TimestampType``
    in the session time zone, where naive dates are the norm).
    """
    if when.tzinfo is None and time_zone is not None and time_zone == naive_zone:
        when = when.replace(tzinfo=tmax.tzinfo)
    if when.tzinfo is not None and time_zone is not None:
        when = when.astimezone(dt.UTC).astimezone(tmax.tzinfo)
    return _align_tz(when, time_zone, "observation_date", time_col)


def _exclusive_end(obs: dt.datetime, date_only: bool) -> dt.datetime:
    """Exclusive upper bound of the rows that count at ``obs`` (see ``Transactions.cutoff``)."""
    return obs + (dt.timedelta(days=1) if date_only else dt.timedelta(microseconds=1))


def _as_of(tx: Transactions, observation_date: Any) -> Transactions:
    """An uncut validated log as ``check_transactions(..., future="drop")`` returns it.

    ``tx`` must hold every row of the caller's table (validated with the default
    observation date, or any date on or after its last timestamp). The result is
    what :func:`check_transactions` with the same arguments plus
    ``observation_date=observation_date, future="drop"`` would return, without
    reading the table again: the same observation date (resolved by the same
    code, time zone conversion included), the same rows, and the same summary
    facts (``n_rows``, ``n_negative``, ``min_time``, ``max_time``), which always
    describe the whole table.
    """
    if tx.max_time >= tx.cutoff:
        raise InvalidValueError(
            f"_as_of needs a log that has not been cut; this one is cut at "
            f"{tx.observation_date} before its last timestamp {tx.max_time}."
        )
    obs, date_only = _resolve_observation(observation_date, tx.max_time, tx.time_zone,
                                          tx.time_col, tx.info.naive_zone)
    end = _exclusive_end(obs, date_only)
    frame = tx.frame.filter(nw.col(TIME) < nw.lit(end)) if tx.max_time >= end else tx.frame
    return replace(tx, frame=frame, observation_date=obs, date_only=date_only)


def _separator_hint(available: list[str]) -> str:
    """Advice when the only column's name holds another separator (a file read wrongly)."""
    if len(available) != 1:
        return ""
    for sep, shown in ((";", "';'"), ("\t", "'\\t'"), ("|", "'|'"), (",", "','")):
        if sep in available[0]:
            return (f" The table has one column whose name holds {shown}: the file was read "
                    f"with the wrong field separator; read it with sep={shown} "
                    f"(--sep {shown} on the command line).")
    return ""


def _decimal_hint(frame: nw.LazyFrame[Any], col: str) -> str:
    """Advice when a text amount column holds decimal commas (``12,50``)."""
    try:
        sample = collect_small(frame.select(nw.col(col)).head(20)).to_series().to_list()
    except Exception:  # pragma: no cover - a column the engine cannot show
        return ""
    if any(isinstance(v, str) and re.fullmatch(r"\s*-?[\d. ]*\d,\d+\s*", v) for v in sample):
        return (" Its values look like numbers with a decimal comma (e.g. "
                f"{next(v for v in sample if isinstance(v, str) and ',' in v)!r}): read the "
                "file with decimal=',' (--decimal , on the command line).")
    return ""


def _examples(frame: nw.LazyFrame[Any], condition: nw.Expr | None, columns: list[str]) -> str:
    if condition is not None:
        frame = frame.filter(condition)
    rows = collect_small(frame.select(columns).head(_N_EXAMPLES)).to_dicts()
    shown = "; ".join(
        "{" + ", ".join(f"{k}: {_short(v)}" for k, v in row.items()) + "}" for row in rows
    )
    return f" First rows: {shown}." if shown else ""


def _short(value: Any) -> str:
    """A value as a reader would write it: dates in ISO form, text quoted, no reprs."""
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    elif isinstance(value, str):
        text = repr(value)
    elif value is None:
        text = "null"
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _when(value: dt.datetime) -> str:
    return value.isoformat(sep=" ")


def _native_columns(native: Any) -> list[object] | None:
    """The column names of an eager frame as the caller holds it (duplicates included).

    pandas, pyarrow and DuckDB allow a name twice; polars and Spark frames do not
    (and asking a lazy frame for its columns costs a schema resolution).
    """
    module = type(native).__module__.split(".")[0]
    attr = {"pandas": "columns", "pyarrow": "column_names", "duckdb": "columns"}.get(module)
    names = getattr(native, attr, None) if attr else None
    return list(names) if names is not None and not callable(names) else None


def _check_unique(transactions: Any) -> None:
    """Refuse a table with a column name used twice."""
    names = _native_columns(transactions)
    twice = duplicated(names) if names is not None else []
    if twice:
        raise InvalidValueError(
            f"the table has {len(twice)} column name(s) used more than once: "
            f"{', '.join(repr(n) for n in twice)}; custseg cannot tell which one to use. "
            "Rename or drop the extra column(s)."
        )


def _check_names(given: dict[str, str]) -> None:
    """Refuse role columns named like custseg's own columns."""
    for role, col in given.items():
        if col.startswith(INTERNAL_PREFIX):
            raise InvalidValueError(
                f"column '{col}' ({_role(role)}) starts with '{INTERNAL_PREFIX}', which custseg "
                "keeps for its internal columns; rename it."
            )
        if is_output_column(col):
            raise InvalidValueError(
                f"column '{col}' ({_role(role)}) has the name of a column custseg writes in its "
                f"results ('{col}'), so one of the two would be lost; rename it first, "
                f"e.g. to '{col}_id' (in Python: df.rename(columns={{'{col}': '{col}_id'}}), "
                f"then pass {role}='{col}_id'; on the command line --"
                f"{role.replace('_col', '')}-col with the new name)."
            )


def check_transactions(
    transactions: Any,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    order_col: str | None = None,
    quantity_col: str | None = None,
    product_col: str | None = None,
    observation_date: Any = None,
    returns: str = "net",
    future: str = "error",
    time_format: str | None = None,
) -> Transactions:
    """Validate a transaction log and return it in custseg's internal form.

    This is the one validation entry point: every feature builder calls it. It
    checks, in this order, and raises a :class:`~custseg.exceptions.CustsegError`
    subclass whose message names the column, the number of bad rows and a few of
    them:

    * the input is a dataframe or a lazy frame (:class:`InvalidDtypeError`);
    * the named columns exist (:class:`MissingColumnError`, listing the available
      columns and the closest name);
    * the timestamp column is a datetime, a date, or text that parses as one
      (:class:`InvalidDtypeError`, :class:`TimestampParseError`); the amount and
      quantity columns are numeric (:class:`InvalidDtypeError`);
    * the table is not empty (:class:`EmptyDataError`);
    * no customer id and no timestamp is missing (:class:`NullValueError`);
    * amounts are finite: no NaN, no infinity, no null (:class:`InvalidValueError`,
      :class:`NullValueError`);
    * refunds follow the ``returns`` policy (:class:`NegativeAmountError`);
    * the observation date and the timestamps agree on time zones
      (:class:`TimezoneMismatchError`);
    * no transaction is dated after the observation date, unless ``future="drop"``
      (:class:`FutureTimestampError`).

    The caller's table is never modified.

    Parameters
    ----------
    transactions : dataframe or lazy frame
        One row per purchase line: pandas, polars, pyarrow, a polars ``LazyFrame``,
        a DuckDB relation or any frame narwhals reads.
    customer_col, time_col, amount_col : str
        Columns holding the customer id (any dtype; kept as it is), the timestamp
        (datetime, date, or ISO 8601 text) and the amount (numeric, in currency units).
    order_col, quantity_col, product_col : str, optional
        Optional columns: an order id, a quantity (numeric) and a product id.
    observation_date : date-like, optional
        The date "as of" which features are computed. A calendar day (a
        ``datetime.date``, ``"1997-09-30"`` or a midnight timestamp) covers the whole
        day. Default: the last timestamp in the data.
    returns : {"net", "drop", "error"}, default="net"
        What negative amounts (refunds) mean. ``"net"``: they lower spend but are not
        purchases; ``"drop"``: they are removed; ``"error"``: they raise
        :class:`~custseg.exceptions.NegativeAmountError`. Zero amounts are purchases.
    future : {"error", "drop"}, default="error"
        What to do with transactions after the observation date: raise, or leave
        them out (use ``"drop"`` to compute features as of a past date).
    time_format : str, optional
        ``strftime`` format of a text timestamp column (for example ``"%Y%m%d"``);
        default: ISO 8601 inferred from the data.

    Returns
    -------
    Transactions
        The validated log with its summary facts.

    See Also
    --------
    custseg.features.rfm : RFM features from a transaction log.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.io import check_transactions
    >>> log = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                     "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03"]),
    ...                     "amount": [10.0, 5.0, 7.5]})
    >>> checked = check_transactions(log)
    >>> checked.n_rows, checked.observation_date.date()
    (3, datetime.date(2024, 1, 5))
    >>> check_transactions(log, amount_col="amt")
    Traceback (most recent call last):
    ...
    custseg.exceptions.MissingColumnError: column 'amt' (amount_col) is not in the table. ...
    """
    if returns not in RETURNS_POLICIES:
        raise InvalidValueError(
            f"returns={returns!r} must be one of {names_text(RETURNS_POLICIES, last='or')}.")
    if future not in FUTURE_POLICIES:
        raise InvalidValueError(
            f"future={future!r} must be one of {names_text(FUTURE_POLICIES, last='or')}.")
    _check_unique(transactions)
    frame, info = to_lazy(transactions)
    available = list(info.columns)

    roles = {
        "customer_col": customer_col,
        "time_col": time_col,
        "amount_col": amount_col,
        "order_col": order_col,
        "quantity_col": quantity_col,
        "product_col": product_col,
    }
    given: dict[str, str] = {role: col for role, col in roles.items() if col is not None}
    for role, col in given.items():
        if not isinstance(col, str):
            raise InvalidDtypeError(f"{role} must be a column name (str); got {col!r}.")
    _check_names(given)
    missing = [(role, col) for role, col in given.items() if col not in available]
    if missing:
        raise MissingColumnError.from_missing_and_available(
            dict(missing), available, hint=_separator_hint(available))
    seen: dict[str, str] = {}
    for role, col in given.items():
        if col in seen:
            raise InvalidValueError(f"{role} and {seen[col]} both name column '{col}'.")
        seen[col] = role

    schema = frame.collect_schema()
    time_dtype = schema[time_col]
    time_zone: str | None = None
    time_expr: nw.Expr
    parse_text = False
    if isinstance(time_dtype, nw.Datetime):
        time_zone = time_dtype.time_zone
        time_expr = nw.col(time_col).cast(nw.Datetime("us", time_zone))
    elif isinstance(time_dtype, nw.Date):
        time_expr = nw.col(time_col).cast(nw.Datetime("us"))
    elif isinstance(time_dtype, nw.String | nw.Categorical | nw.Enum):
        parse_text = True
        time_expr = nw.col(time_col).cast(nw.String())  # parsed below
    else:
        raise InvalidDtypeError(
            f"column '{time_col}' ({_role('time_col')})"
            f" has dtype {time_dtype}; expected a datetime, "
            "a date, or text in ISO 8601 form (pass time_format= / --time-format for "
            "other text forms, e.g. '%Y%m%d' for 20240131)."
        )
    for role in ("amount_col", "quantity_col"):
        num_col = given.get(role)
        if num_col is not None and not schema[num_col].is_numeric():
            hint = _decimal_hint(frame, num_col) if schema[num_col] == nw.String else ""
            raise InvalidDtypeError(
                f"column '{num_col}' ({_role(role)})"
                f" has dtype {schema[num_col]}; expected a numeric "
                "dtype (int or float). Convert it first, e.g. with pd.to_numeric." + hint
            )

    cid_expr = nw.col(customer_col)
    if isinstance(schema[customer_col], nw.Categorical | nw.Enum):
        # Dictionary-encoded ids (Arrow dictionaries, pandas/polars categoricals) are
        # compared as text: two tables' dictionaries need not agree.
        cid_expr = cid_expr.cast(nw.String())
    selected: dict[str, nw.Expr] = {
        CID: cid_expr,
        TIME: time_expr,
        AMOUNT: nw.col(amount_col).cast(nw.Float64()),
    }
    if order_col is not None:
        selected[ORDER] = nw.col(order_col)
    if quantity_col is not None:
        selected[QTY] = nw.col(quantity_col).cast(nw.Float64())
    if product_col is not None:
        selected[PRODUCT] = nw.col(product_col)
    work = frame.select(**selected)
    if parse_text:
        work = parse_text_times(work, TIME, time_format, raw_name="__traw")
    has_flag = AWARE_FLAG in work.collect_schema().names()

    stats_exprs: dict[str, nw.Expr] = {
        "n": nw.len(),
        "null_cid": nw.col(CID).null_count(),
        "null_t": nw.col(TIME).null_count(),
        "null_amt": nw.col(AMOUNT).null_count(),
        "bad_amt": (~nw.col(AMOUNT).is_finite()).cast(nw.Int64()).sum(),
        "neg": (nw.col(AMOUNT) < 0).cast(nw.Int64()).sum(),
        "tmin": nw.col(TIME).min(),
        "tmax": nw.col(TIME).max(),
        **money_stats(nw.col(AMOUNT)),
    }
    float_ids = schema[customer_col] in (nw.Float32, nw.Float64)
    if float_ids:  # a NaN id (pandas' missing value in a float column) is a missing id
        stats_exprs["nan_cid"] = nw.col(CID).is_nan().cast(nw.Int64()).sum()
    if parse_text and has_flag:
        stats_exprs["n_aware"] = nw.col(AWARE_FLAG).cast(nw.Int64()).sum()
    if parse_text:
        stats_exprs["bad_t"] = (
            ~nw.col("__traw").is_null() & nw.col(TIME).is_null()
        ).cast(nw.Int64()).sum()
    try:
        stats = collect_small(work.select(**stats_exprs)).to_dicts()[0]
    except Exception as err:
        if not parse_text or info.kind != "lazy":
            raise
        # Lazy engines parse text strictly: the query itself fails on a bad value.
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        for internal, name in ((TIME, time_col), ("__traw", time_col), (CID, customer_col),
                               (AMOUNT, amount_col)):
            first = first.replace(internal, name)
        raise TimestampParseError(
            f"column '{time_col}' ({_role('time_col')}) has text that does not parse as timestamps "
            f"{time_format_advice(time_format)}. The engine said: {first}"
        ) from err
    n_rows = int(stats["n"] or 0)
    row_name = next(n for n in ("row", "row_number", "__row") if n not in available)
    example_frame, idx = with_row_number(frame, info, name=row_name)
    shown = idx + [c for c in given.values()]

    def fail(exc: type[Exception], message: str, condition: nw.Expr | None,
             frame: nw.LazyFrame[Any] | None = None, columns: list[str] | None = None) -> None:
        source = example_frame if frame is None else frame
        raise exc(message + _examples(source, condition, shown if columns is None else columns))

    if n_rows == 0:
        raise EmptyDataError(
            f"the transaction table has 0 rows; expected at least one purchase in columns "
            f"'{customer_col}', '{time_col}', '{amount_col}'."
        )
    if stats["null_cid"] or stats.get("nan_cid"):
        missing_id = nw.col(customer_col).is_null()
        if float_ids:
            missing_id = missing_id | nw.col(customer_col).is_nan()
        fail(NullValueError,
             f"column '{customer_col}' ({_role('customer_col')}) has "
             f"{stats['null_cid'] + int(stats.get('nan_cid') or 0)} of {n_rows} rows "
             "with a missing customer id; every transaction needs one.",
             missing_id)
    if parse_text and stats["bad_t"]:
        fail(TimestampParseError,
             f"column '{time_col}' ({_role('time_col')})"
             f" has {stats['bad_t']} of {n_rows} rows that do "
             f"not parse as timestamps {time_format_advice(time_format)}.",
             None,
             unparsed_rows(example_frame, time_col, time_format))
    n_aware = int(stats.get("n_aware") or 0)
    n_timed = n_rows - int(stats["null_t"] or 0)
    if n_aware and n_aware < n_timed:
        fail(TimestampParseError,
             f"column '{time_col}' ({_role('time_col')})"
             f" mixes {n_aware} timestamps with a UTC offset "
             f"and {n_timed - n_aware} without one; a timestamp without an offset is no known "
             "instant. Give every row an offset (or none).",
             None,
             mixed_offset_rows(example_frame, time_col, False, time_format))
    if n_aware:
        # Every row carried an offset: the parsed times are UTC.
        work = as_utc(work, TIME)
        time_zone = "UTC"
        stats["tmin"] = stats["tmin"].replace(tzinfo=dt.UTC)
        stats["tmax"] = stats["tmax"].replace(tzinfo=dt.UTC)
    if stats["null_t"]:
        fail(NullValueError,
             f"column '{time_col}' ({_role('time_col')})"
             f" has {stats['null_t']} of {n_rows} rows with a "
             "missing timestamp; every transaction needs one.",
             nw.col(time_col).is_null())
    if stats["null_amt"]:
        fail(NullValueError,
             f"column '{amount_col}' ({_role('amount_col')})"
             f" has {stats['null_amt']} of {n_rows} rows with "
             "a missing amount; fill them (0 for free items) or drop them.",
             nw.col(amount_col).is_null())
    if stats["bad_amt"]:
        fail(InvalidValueError,
             f"column '{amount_col}' ({_role('amount_col')})"
             f" has {stats['bad_amt']} of {n_rows} rows with "
             "a NaN or infinite amount (an empty cell of a file reads as NaN); expected "
             "finite numbers.",
             ~nw.col(amount_col).cast(nw.Float64()).is_finite())
    scale = money_scale(stats, amount_col)
    n_negative = int(stats["neg"] or 0)
    if n_negative and returns == "error":
        fail(NegativeAmountError,
             f"column '{amount_col}' ({_role('amount_col')})"
             f" has {n_negative} of {n_rows} rows with a "
             "negative amount (refunds) and returns='error'; use returns='net' to count "
             "refunds against spend or returns='drop' to ignore them.",
             nw.col(amount_col) < 0)

    tmin, tmax = stats["tmin"], stats["tmax"]
    if tmax is not None and (tmax.year > LAST_YEAR or tmin.year < FIRST_YEAR):
        earliest = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=tmax.tzinfo)
        latest = dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=tmax.tzinfo)
        odd = (nw.col(TIME) >= nw.lit(latest)) | (nw.col(TIME) < nw.lit(earliest))
        n_odd = collect_small(work.select(n=odd.cast(nw.Int64()).sum())).item()
        extreme = tmax if tmax.year > LAST_YEAR else tmin
        fail(InvalidValueError,
             f"column '{time_col}' ({_role('time_col')}) has {n_odd} of {n_rows} rows dated before "
             f"{FIRST_YEAR} or after {LAST_YEAR}, such as {_when(extreme)}: a placeholder for "
             "'no date', not a purchase (custseg computes dates years before and after the "
             "log's). Drop or fix these rows.",
             None,
             work.filter(odd).select(nw.col(CID).alias(customer_col),
                                     nw.col(TIME).alias(time_col)),
             [customer_col, time_col])
    obs, date_only = _resolve_observation(observation_date, tmax, time_zone, time_col,
                                          info.naive_zone)
    end = _exclusive_end(obs, date_only)
    if tmax >= end:
        if future == "error":
            n_late = collect_small(
                work.select(n=(nw.col(TIME) >= nw.lit(end)).cast(nw.Int64()).sum())
            ).item()
            when = obs.date().isoformat() if date_only else _when(obs)
            fail(FutureTimestampError,
                 f"column '{time_col}' ({_role('time_col')})"
                 f" has {n_late} of {n_rows} rows dated after the "
                 f"observation date {when} (last timestamp {_when(tmax)}); pass a later "
                 "observation_date (--as-of), or future='drop' to compute features as of "
                 "that date.",
                 None,
                 work.filter(nw.col(TIME) >= nw.lit(end)).select(
                     nw.col(CID).alias(customer_col), nw.col(TIME).alias(time_col)),
                 [customer_col, time_col])
        work = work.filter(nw.col(TIME) < nw.lit(end))
    if returns == "drop" and n_negative:
        work = work.filter(nw.col(AMOUNT) >= 0)
        n_negative = 0
    if parse_text:
        work = work.drop("__traw", *([AWARE_FLAG] if has_flag else []))
    return Transactions(
        frame=work,
        info=info,
        customer_col=customer_col,
        time_col=time_col,
        amount_col=amount_col,
        order_col=order_col,
        quantity_col=quantity_col,
        product_col=product_col,
        n_rows=n_rows,
        n_negative=n_negative,
        min_time=tmin,
        max_time=tmax,
        observation_date=obs,
        date_only=date_only,
        time_zone=time_zone,
        money=scale,
    )
