"""Exceptions and warnings raised by custseg.

Every error custseg raises on bad input is a subclass of :class:`CustsegError`
and of the builtin exception that fits (``KeyError``, ``ValueError`` or
``TypeError``), so callers can catch either.

Examples
--------
>>> from custseg.exceptions import CustsegError, MissingColumnError
>>> issubclass(MissingColumnError, KeyError) and issubclass(MissingColumnError, CustsegError)
True
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

__all__ = [
    "ColumnMismatchError",
    "CustsegError",
    "CustsegWarning",
    "DataWarning",
    "EmptyDataError",
    "FileFormatError",
    "FutureTimestampError",
    "InvalidDtypeError",
    "InvalidValueError",
    "MissingColumnError",
    "MissingFileError",
    "ModelAssumptionWarning",
    "ModelFileError",
    "NegativeAmountError",
    "NullValueError",
    "OutputError",
    "TimestampParseError",
    "TimezoneMismatchError",
    "UntrustedTypeError",
    "VersionMismatchWarning",
    "WeakChurnModelWarning",
]


class CustsegError(Exception):
    """Base class of every error custseg raises on bad input.

    Examples
    --------
    >>> from custseg.exceptions import CustsegError, EmptyDataError
    >>> try:
    ...     raise EmptyDataError("the transaction table has 0 rows")
    ... except CustsegError as err:
    ...     print(err)
    the transaction table has 0 rows
    """


class MissingColumnError(CustsegError, KeyError):
    """A required column is not in the table.

    The message lists the missing columns, the available ones and the closest
    match. Also a :class:`KeyError`.

    Examples
    --------
    >>> str(MissingColumnError("column 'amount' not found"))
    "column 'amount' not found"
    """

    def __str__(self) -> str:
        # KeyError.__str__ would wrap the message in quotes.
        return str(self.args[0]) if self.args else ""

    @classmethod
    def from_missing_and_available(
        cls,
        missing: Mapping[str, str] | Sequence[str],
        available: Sequence[str],
        *,
        where: str = "the table",
        context: str = "",
        hint: str = "",
    ) -> MissingColumnError:
        """Build the one wording of a missing column: each, its closest name, all available.

        Parameters
        ----------
        missing : mapping of parameter to column name, or sequence of column names
            The missing columns; a mapping also names the parameter that asked for
            each (``{"amount_col": "amt"}``).
        available : sequence of str
            The columns the table has.
        where : str, default="the table"
            What lacks them (the argument's name, ``"X"``, ``"the activity log"``).
        context : str, default=""
            Who asked (``"tier_summary"``), put first.
        hint : str, default=""
            Advice appended to the message.

        Returns
        -------
        MissingColumnError
            The error, to raise.

        Examples
        --------
        >>> err = MissingColumnError.from_missing_and_available(
        ...     {"amount_col": "amt"}, ["customer_id", "date", "amount"])
        >>> print(err)
        column 'amt' (amount_col) is not in the table. Did you mean 'amount'? Available columns: 'customer_id', 'date' and 'amount'.
        """  # noqa: E501
        from ._advice import role as spelled
        names = [str(c) for c in available]
        pairs = (list(missing.items()) if isinstance(missing, Mapping)
                 else [("", str(c)) for c in missing])
        parts = []
        for role, col in pairs:
            label = f"column '{col}'" + (f" ({spelled(role)})" if role else "")
            close = closest_column(str(col), names)
            parts.append(f"{label} is not in {where}."
                         + (f" Did you mean '{close}'?" if close else ""))
        head = f"{context}: " if context else ""
        return cls(f"{head}{' '.join(parts)} Available columns: {names_text(names)}.{hint}")


def names_text(names: Sequence[object], limit: int = 12, *, quote: bool = True,
               last: str = "and") -> str:
    """Names in words, each quoted: ``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'``.

    Past ``limit`` names, the rest are counted (``... and 30 more``). With
    ``quote=False`` the values are written bare (row numbers, scores); ``last``
    joins the last two (``"or"`` for a choice).

    Examples
    --------
    >>> print(names_text(["customer_id", "date", "amount"]))
    'customer_id', 'date' and 'amount'
    >>> print(names_text([f"c{i}" for i in range(5)], limit=2))
    'c0', 'c1' and 3 more
    >>> print(names_text([3, 7, 9], quote=False))
    3, 7 and 9
    >>> print(names_text(["net", "drop", "error"], last="or"))
    'net', 'drop' or 'error'
    """
    items = [f"'{n}'" if quote else str(n) for n in names]
    if not items:
        return "none"
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def closest_column(name: str, available: Sequence[str]) -> str | None:
    """Return the available column most like ``name`` (case, containment, spelling).

    Examples
    --------
    >>> closest_column("Amount", ["customer_id", "amount"])
    'amount'
    """
    lowered = {c.lower(): c for c in available}
    if name.lower() in lowered:
        return lowered[name.lower()]
    inside = [c for c in available if name.lower() in c.lower()]
    if inside:
        return inside[0]
    match = difflib.get_close_matches(name, list(available), n=1, cutoff=0.5)
    return match[0] if match else None


class EmptyDataError(CustsegError, ValueError):
    """The table has no rows (or none left after filtering).

    Examples
    --------
    >>> isinstance(EmptyDataError("empty"), ValueError)
    True
    """


class MissingFileError(CustsegError, FileNotFoundError):
    """An input file does not exist.

    Examples
    --------
    >>> isinstance(MissingFileError("no such file: log.csv"), FileNotFoundError)
    True
    """


class FileFormatError(CustsegError, ValueError):
    """A file is not a table custseg reads (CSV, parquet, Arrow IPC/Feather), or is damaged.

    The message names the file and says what it looks like (a zip archive, JSON,
    binary data...) or which line is malformed.

    Examples
    --------
    >>> isinstance(FileFormatError("log.csv looks like a PDF document"), ValueError)
    True
    """


class OutputError(CustsegError, OSError):
    """An output cannot be written where it was asked (missing or read-only folder).

    Raised before any work starts, so a long run never fails at its very end.

    Examples
    --------
    >>> isinstance(OutputError("folder out/ does not exist"), OSError)
    True
    """


class InvalidDtypeError(CustsegError, TypeError):
    """A column has a dtype custseg cannot use (for example a text amount).

    Examples
    --------
    >>> isinstance(InvalidDtypeError("amount is str"), TypeError)
    True
    """


class NullValueError(CustsegError, ValueError):
    """A column that must be complete has missing values.

    Examples
    --------
    >>> isinstance(NullValueError("3 null customer ids"), ValueError)
    True
    """


class TimestampParseError(CustsegError, ValueError):
    """Timestamps stored as text could not be parsed.

    Examples
    --------
    >>> isinstance(TimestampParseError("bad date"), ValueError)
    True
    """


class InvalidValueError(CustsegError, ValueError):
    """A value is out of its allowed range (NaN or infinite amount, bad date...).

    Examples
    --------
    >>> isinstance(InvalidValueError("inf amount"), ValueError)
    True
    """


class NegativeAmountError(InvalidValueError):
    """Negative amounts (refunds) were found while ``returns="error"``.

    Examples
    --------
    >>> isinstance(NegativeAmountError("refund"), InvalidValueError)
    True
    """


class FutureTimestampError(CustsegError, ValueError):
    """Transactions are dated after the observation date.

    Examples
    --------
    >>> isinstance(FutureTimestampError("late rows"), ValueError)
    True
    """


class TimezoneMismatchError(CustsegError, TypeError):
    """Time-zone-aware timestamps were compared with a naive date, or the reverse.

    Examples
    --------
    >>> isinstance(TimezoneMismatchError("tz"), TypeError)
    True
    """


class ColumnMismatchError(CustsegError, ValueError):
    """The columns passed to ``transform``/``predict`` differ from those seen in ``fit``.

    Examples
    --------
    >>> isinstance(ColumnMismatchError("diff"), ValueError)
    True
    """


class CustsegWarning(UserWarning):
    """Base class of the warnings custseg emits.

    Examples
    --------
    >>> issubclass(DataWarning, CustsegWarning)
    True
    """


class DataWarning(CustsegWarning):
    """Something in the data deserves attention but is not an error.

    Examples
    --------
    >>> issubclass(DataWarning, UserWarning)
    True
    """


class VersionMismatchWarning(CustsegWarning):
    """A saved model was written by other library versions than the ones installed.

    Examples
    --------
    >>> issubclass(VersionMismatchWarning, CustsegWarning)
    True
    """


class ModelFileError(CustsegError, ValueError):
    """A file is not a custseg model file, or cannot be loaded the way asked.

    Raised by :func:`custseg.persistence.load` for a file that custseg did not
    write, or for a pickle-based file when a safe load was asked for.

    Examples
    --------
    >>> isinstance(ModelFileError("not a custseg model file"), ValueError)
    True
    """


class UntrustedTypeError(CustsegError, TypeError):
    """A model file holds object types that were not declared trusted.

    Raised by the safe loader (:func:`custseg.persistence.load_safe`); the
    message lists the untrusted types so they can be reviewed and passed as
    ``trusted=[...]``.

    Examples
    --------
    >>> isinstance(UntrustedTypeError("untrusted: os.system"), TypeError)
    True
    """


class ModelAssumptionWarning(CustsegWarning):
    """The data contradict an assumption of the fitted model.

    For example the Gamma-Gamma spend model assumes that a customer's purchase
    frequency and average spend are independent; a strong correlation between
    them makes its estimates of future spend biased.

    Examples
    --------
    >>> issubclass(ModelAssumptionWarning, CustsegWarning)
    True
    """


class WeakChurnModelWarning(CustsegWarning):
    """The churn model is not better than recency alone on its internal time split.

    :class:`custseg.pipeline.CustomerSegmentation` measures its churn model
    against the days since the last purchase; when the model's ROC AUC does not
    exceed recency's by at least 0.01, its churn probabilities and risk bands add
    nothing to "how long since they last bought", and the report says so.

    Examples
    --------
    >>> issubclass(WeakChurnModelWarning, CustsegWarning)
    True
    """
