from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import EmptyDataError, InvalidValueError


def read_transactions(
    path: str | Path,
    *,
    customer_col: str = "customer_id",
    as_frame: str = "pandas",
    **read_kwargs: Any,
) -> Any:
    """Read a transaction file (CSV or parquet) keeping customer ids as text.

    CSV files are read with the customer id column as text, so ``"00001"`` stays
    ``"00001"``; other columns are inferred. Validation happens later, in the
    feature builders (:func:`custseg.io.check_transactions`).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (optionally ``.gz``/``.zip``/...) or ``.parquet``/``.pq`` file.
    customer_col : str, default="customer_id"
        Column to read as text (CSV only; parquet keeps its stored types).
    as_frame : {"pandas", "polars"}, default="pandas"
        Kind of frame to return.
    **read_kwargs
        Passed to :func:`pandas.read_csv` / :func:`pandas.read_parquet` (or the polars
        equivalents), e.g. ``sep=";"``.

    Returns
    -------
    DataFrame
        The file's rows as they are.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    custseg.exceptions.EmptyDataError
        The file is empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custseg.io import read_transactions
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text("customer_id,date,amount\\n007,2024-01-01,9.5\\n")
    >>> read_transactions(folder / "log.csv")["customer_id"].tolist()
    ['007']
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"transaction file not found: {path}")
    if not path.is_file():
        raise InvalidValueError(f"{path} is not a file.")
    if path.stat().st_size == 0:
        raise EmptyDataError(f"transaction file {path} is empty (0 bytes).")
    suffixes = [s.lower() for s in path.suffixes]
    is_parquet = bool(suffixes) and suffixes[-1] in (".parquet", ".pq")
    if as_frame not in ("pandas", "polars"):
        raise InvalidValueError(f"as_frame={as_frame!r} is not one of ('pandas', 'polars').")
    if as_frame == "polars":
        import polars as pl

        if is_parquet:
            return pl.read_parquet(path, **read_kwargs)
        overrides = {customer_col: pl.String}
        return pl.read_csv(path, schema_overrides=overrides, try_parse_dates=True, **read_kwargs)
    import pandas as pd

    if is_parquet:
        return pd.read_parquet(path, **read_kwargs)
    try:
        return pd.read_csv(path, dtype={customer_col: str}, **read_kwargs)
    except pd.errors.EmptyDataError as err:
        raise EmptyDataError(f"transaction file {path} has no rows or header.") from err
