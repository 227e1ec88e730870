"""The basket table: which items each basket holds, on the validated log.

A basket is one purchase occasion, as :func:`custseg.features.rfm` defines it:
one order id when the log has an ``order_col`` (``occasion="order"``), otherwise
one customer and calendar day (``occasion="day"``). Only purchase lines count
(amount >= 0): a refund line is not a purchase of its item. An item held several
times in one basket counts once.
"""

from __future__ import annotations

from typing import Any, Unpack

import narwhals.stable.v2 as nw

from .._frame import FrameInfo, collect_small, to_kind
from ..exceptions import InvalidValueError, NullValueError
from ..features._core import function_log
from ..io._options import LogOptions
from ..io._validate import AMOUNT, CID, ORDER, PRODUCT, TIME, Transactions

__all__ = ["basket_table", "item_counts", "item_history"]

# Internal column names of the basket-item table.
ITEM, DAY, LINES, SPEND = "__item", "__day", "__lines", "__spend"


def basket_keys(tx: Transactions) -> list[str]:
    """The internal columns that identify a basket: customer and order id, or customer and day."""
    return [CID, ORDER] if tx.order_col is not None else [CID, DAY]


def check_product(tx: Transactions, who: str = "baskets") -> None:
    """Refuse a log without a product column, or with missing items."""
    if tx.product_col is None:
        raise InvalidValueError(
            f"{who} need an item column: pass product_col= (or --product-col) naming the "
            "column that holds the product, category or any item id of each line."
        )
    n_null = int(collect_small(tx.frame.select(nw.col(PRODUCT).null_count().alias("n")))
                 .item(0, "n") or 0)
    if n_null:
        examples = collect_small(tx.frame.filter(nw.col(PRODUCT).is_null()).select(
            CID, TIME).head(3))
        shown = "; ".join(f"{tx.customer_col} '{c}' at {t}" for c, t in examples.iter_rows())
        raise NullValueError(
            f"column '{tx.product_col}' (product_col) has {n_null} missing values of "
            f"{tx.n_rows} rows; every purchase line needs an item. A few: {shown}."
        )


def basket_items(tx: Transactions) -> nw.LazyFrame[Any]:
    """One row per (basket, item) in internal names: the basket keys, ``__item``,
    ``__t`` (first time of the item in the basket), ``__lines`` and ``__spend``."""
    frame = tx.frame.filter(nw.col(AMOUNT) >= 0)
    if tx.order_col is None:
        frame = frame.with_columns(nw.col(TIME).dt.truncate("1d").alias(DAY))
    keys = basket_keys(tx)
    return frame.group_by([*keys, PRODUCT]).agg(
        nw.col(TIME).min(), nw.len().alias(LINES), nw.col(AMOUNT).sum().alias(SPEND),
    ).rename({PRODUCT: ITEM})


def _out_info(tx: Transactions) -> FrameInfo:
    return tx.info


def _validated(transactions: Any, log: LogOptions, who: str) -> Transactions:
    tx = function_log(transactions, log, who)
    check_product(tx)
    return tx


def basket_table(transactions: Any, **log: Unpack[LogOptions]) -> Any:
    """One row per item of every basket.

    A basket is one order (when ``order_col`` is given) or one customer and
    calendar day, the purchase occasion of :func:`custseg.features.rfm`. Refund
    lines (negative amounts) are left out; an item bought on several lines of one
    basket is one row.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log, validated by :func:`custseg.io.check_transactions`
        (a :class:`~custseg.io.Transactions` is used as it is).
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`):
        ``product_col``, the item column (product, category, sub-category or any
        item id), is required; without ``order_col`` a basket is a customer and
        calendar day.

    Returns
    -------
    DataFrame
        Same kind as the input (lazy stays lazy), sorted by customer, basket and
        item: the customer column, the order column (or ``basket_date``, the
        day), the item column, ``time`` (first line of the item in the basket),
        ``n_lines`` and ``amount`` (sum of the item's lines).

    Raises
    ------
    InvalidValueError
        Without ``product_col``.
    NullValueError
        When an item is missing on some lines.

    See Also
    --------
    item_counts : Baskets and customers per item.
    item_history : What each customer bought, item by item.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import basket_table
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09", "2024-01-02"]),
    ...     "amount": [3.0, 2.0, 4.0, 5.0],
    ...     "product": ["tea", "milk", "tea", "milk"]})
    >>> basket_table(log, product_col="product")[["customer_id", "basket_date", "product"]]
      customer_id basket_date product
    0           a  2024-01-01    milk
    1           a  2024-01-01     tea
    2           a  2024-01-09     tea
    3           b  2024-01-02    milk
    """
    return basket_table_from(_validated(transactions, log, "basket_table"))


def basket_table_from(tx: Transactions) -> Any:
    """:func:`basket_table` of an already validated log."""
    check_product(tx)
    keys = basket_keys(tx)
    names = {CID: tx.customer_col, ORDER: tx.order_col or "", DAY: "basket_date",
             ITEM: str(tx.product_col), TIME: "time", LINES: "n_lines", SPEND: "amount"}
    out = basket_items(tx).select(*keys, ITEM, TIME, LINES, SPEND).sort([*keys, ITEM])
    out = out.rename({k: v for k, v in names.items() if k in out.collect_schema().names()})
    return to_kind(out, _out_info(tx), keep_dtypes=(tx.customer_col,))


def item_counts(transactions: Any, **log: Unpack[LogOptions]) -> Any:
    """How many baskets and customers hold each item, and its support.

    Parameters
    ----------
    transactions, **log
        The transaction log and its columns and policies, as in :func:`basket_table`.

    Returns
    -------
    DataFrame
        Same kind as the input, one row per item, most frequent first (ties by
        item): the item column, ``n_baskets``, ``n_customers``, ``support``
        (``n_baskets`` over all baskets, as in :class:`AssociationRules`) and
        ``amount``.

    See Also
    --------
    basket_table : The baskets themselves.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import item_counts
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09", "2024-01-02"]),
    ...     "amount": [3.0, 2.0, 4.0, 5.0],
    ...     "product": ["tea", "milk", "tea", "milk"]})
    >>> item_counts(log, product_col="product")
      product  n_baskets  n_customers  support  amount
    0    milk          2            2   0.6667     7.0
    1     tea          2            1   0.6667     7.0
    """
    return item_counts_from(_validated(transactions, log, "item_counts"))


def item_counts_from(tx: Transactions) -> Any:
    """:func:`item_counts` of an already validated log."""
    check_product(tx)
    items = basket_items(tx)
    n_baskets = items.select(basket_keys(tx)).unique().select(nw.len().alias("n"))
    out = items.group_by(ITEM).agg(
        nw.len().alias("n_baskets"), nw.col(CID).n_unique().alias("n_customers"),
        nw.col(SPEND).sum().alias("amount"),
    ).join(n_baskets, how="cross").with_columns(
        (nw.col("n_baskets").cast(nw.Float64()) / nw.col("n")).alias("support"),
    ).select(ITEM, "n_baskets", "n_customers", "support", "amount").sort(
        ["n_baskets", ITEM], descending=[True, False],
    ).rename({ITEM: str(tx.product_col)})
    return to_kind(out, _out_info(tx))


def item_history(transactions: Any, **log: Unpack[LogOptions]) -> Any:
    """What each customer bought, item by item.

    Parameters
    ----------
    transactions, **log
        The transaction log and its columns and policies, as in :func:`basket_table`.

    Returns
    -------
    DataFrame
        Same kind as the input, one row per customer and item bought, sorted by
        customer then item: the customer column, the item column,
        ``n_baskets`` (baskets holding the item), ``first_bought``,
        ``last_bought`` and ``amount``. Customers whose only lines are refunds
        have no row.

    See Also
    --------
    basket_table : The baskets themselves.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import item_history
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-09", "2024-01-02"]),
    ...     "amount": [3.0, 2.0, 4.0, 5.0],
    ...     "product": ["tea", "milk", "tea", "milk"]})
    >>> item_history(log, product_col="product")[["customer_id", "product", "n_baskets"]]
      customer_id product  n_baskets
    0           a    milk          1
    1           a     tea          2
    2           b    milk          1
    """
    return item_history_from(_validated(transactions, log, "item_history"))


def item_history_from(tx: Transactions) -> Any:
    """:func:`item_history` of an already validated log."""
    check_product(tx)
    out = basket_items(tx).group_by(CID, ITEM).agg(
        nw.len().alias("n_baskets"), nw.col(TIME).min().alias("first_bought"),
        nw.col(TIME).max().alias("last_bought"), nw.col(SPEND).sum().alias("amount"),
    ).sort([CID, ITEM]).rename({CID: tx.customer_col, ITEM: str(tx.product_col)})
    return to_kind(out, _out_info(tx), keep_dtypes=(tx.customer_col,))
