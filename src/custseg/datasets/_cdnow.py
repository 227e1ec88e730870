from __future__ import annotations

from importlib import resources
from typing import Any

import pandas as pd


def load_cdnow(sample: bool = False, *, as_frame: str = "pandas") -> Any:
    """Load the CDNOW customer purchase log shipped with custseg.

    Every purchase until 1998-06-30 by the 23,570 customers who first bought at the
    online CD retailer CDNOW in the first quarter of 1997 (Fader, Hardie & Lee 2005).
    Several rows can share a customer and a day; 80 rows of the master log have
    amount 0.

    Parameters
    ----------
    sample : bool, default=False
        ``False``: the full master log (69,659 rows, 23,570 customers).
        ``True``: the published 1-in-10 sample (6,919 rows, 2,357 customers) whose
        ``customer_id`` is the sample's own numbering ``"0001"`` ... ``"2357"``; its
        ``master_id`` column holds the id in the master log.
    as_frame : {"pandas", "polars"}, default="pandas"
        Kind of frame to return.

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str, zero-padded, kept as text), ``date``
        (datetime, day precision), ``quantity`` (int, number of CDs) and
        ``amount`` (float, US dollars); the sample also has ``master_id`` (str).

    See Also
    --------
    make_transactions : A synthetic log with known ground truth.

    Notes
    -----
    Originally published by P. S. Fader and B. G. S. Hardie for research use and
    distributed in the ``lifetimes`` and ``btyd`` packages. Cite Fader, P. S.,
    Hardie, B. G. S. and Lee, K. L. (2005), "Counting Your Customers the Easy Way",
    *Marketing Science* 24(2), 275-284, when you report results on it.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> log = load_cdnow()
    >>> log.shape
    (69659, 4)
    >>> log["customer_id"].iloc[0], str(log["date"].iloc[0].date()), log["amount"].iloc[0]
    ('00001', '1997-01-01', np.float64(11.77))
    >>> load_cdnow(sample=True)["customer_id"].nunique()
    2357
    """
    if as_frame not in ("pandas", "polars"):
        raise ValueError(f"as_frame={as_frame!r} is not one of ('pandas', 'polars').")
    name = "cdnow_sample.csv.gz" if sample else "cdnow_master.csv.gz"
    ref = resources.files("custseg.datasets").joinpath("data", name)
    with resources.as_file(ref) as path:
        df = pd.read_csv(
            path,
            dtype={"customer_id": "string", "master_id": "string", "date": "string"},
        )
    df["customer_id"] = df["customer_id"].astype(str)
    if "master_id" in df.columns:
        df["master_id"] = df["master_id"].astype(str)
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    df["quantity"] = df["quantity"].astype("int64")
    df["amount"] = df["amount"].astype("float64")
    columns = ["customer_id", "date", "quantity", "amount"]
    if sample:
        columns.append("master_id")
    df = df[columns]
    if as_frame == "polars":
        import polars as pl

        return pl.from_pandas(df)
    return df
