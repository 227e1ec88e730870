"""Transition matrices of customers between two labelings (segments, stages, tiers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidDtypeError, InvalidValueError, NullValueError, names_text
from ._frames import eager_frame

__all__ = ["Migration", "segment_migration"]


@dataclass(frozen=True)
class Migration:
    """Result of :func:`segment_migration`: where the customers of each group went.

    Attributes
    ----------
    counts : pandas.DataFrame
        Number of customers, rows = label before (then ``new_label``: customers
        only in ``after``), columns = label after (then ``gone_label``: customers
        only in ``before``). Rows and columns list the same labels in the same
        order (best first for known label sets), so the diagonal is "stayed",
        cells left of it moved to a better label and cells right of it to a
        worse one. The cell ``"(new)"`` x ``"(gone)"`` is always 0.
    shares : pandas.DataFrame
        ``counts`` divided by its row totals: the share of each "before" group
        that moved to each "after" group (each row sums to 1; a row with no
        customers is all 0).
    new_label, gone_label : str
        The labels of the extra row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.segments import segment_migration
    >>> m = segment_migration(pd.Series({"a": "A", "b": "B"}), pd.Series({"a": "B", "c": "A"}))
    >>> m.n_new, m.n_gone, m.n_stayed
    (1, 1, 0)
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    new_label: str = "(new)"
    gone_label: str = "(gone)"

    @property
    def n_new(self) -> int:
        """Customers only in ``after``."""
        return int(self.counts.loc[self.new_label].to_numpy().sum())

    @property
    def n_gone(self) -> int:
        """Customers only in ``before``."""
        return int(self.counts[self.gone_label].sum())

    @property
    def n_stayed(self) -> int:
        """Customers in both with the same label."""
        common = [c for c in self.counts.index if c in self.counts.columns]
        common = [c for c in common if c not in (self.new_label, self.gone_label)]
        return int(sum(self.counts.loc[c, c] for c in common))

    @property
    def labels(self) -> list[Any]:
        """The labels of both axes, in order, without the new and gone ones."""
        return list(self.counts.index[:-1])

    @property
    def n_better(self) -> int:
        """Customers in both who moved to a label earlier in the order (below the diagonal)."""
        block = self.counts.to_numpy()[:-1, :-1]
        return int(np.tril(block, k=-1).sum())

    @property
    def n_worse(self) -> int:
        """Customers in both who moved to a label later in the order (above the diagonal)."""
        block = self.counts.to_numpy()[:-1, :-1]
        return int(np.triu(block, k=1).sum())

    def to_long(self) -> pd.DataFrame:
        """One row per non-empty (before, after) pair, for Sankey or bar plots.

        Returns
        -------
        pandas.DataFrame
            Columns ``before``, ``after``, ``count`` and ``share`` (row share).

        Examples
        --------
        >>> import pandas as pd
        >>> from custseg.segments import segment_migration
        >>> segment_migration(pd.Series({"a": "A"}), pd.Series({"a": "B"})).to_long()
          before after  count  share
        0      A     B      1    1.0
        """
        counts = self.counts.rename_axis(index="before", columns="after").stack()
        shares = self.shares.rename_axis(index="before", columns="after").stack()
        out = pd.DataFrame({"count": counts, "share": shares}).reset_index()
        return out[out["count"] > 0].reset_index(drop=True)


def _as_labels(obj: Any, argname: str) -> pd.Series:
    if isinstance(obj, pd.Series):
        series = obj
    else:
        frame = eager_frame(obj, argname)
        if len(frame.columns) != 2:
            raise InvalidValueError(
                f"{argname} must be a Series indexed by customer id, or a frame with 2 columns "
                f"(customer id, label); got a frame with columns {names_text(list(frame.columns))}."
            )
        native = frame.to_pandas()
        id_col, label_col = native.columns
        series = native.set_index(id_col)[label_col]
    n_null_ids = int(pd.isna(series.index).sum())
    if n_null_ids:
        raise NullValueError(f"{argname} has {n_null_ids} missing customer id(s).")
    n_null = int(series.isna().sum())
    if n_null:
        raise NullValueError(
            f"{argname} has {n_null} customer(s) without a label, e.g. "
            f"{names_text([str(i) for i in series.index[series.isna()][:3]])}; every customer "
            "needs one."
        )
    dup = series.index.duplicated(keep=False)
    if dup.any():
        raise InvalidValueError(
            f"{argname} must hold one label per customer; {int(dup.sum())} rows share a "
            f"customer id, e.g. {names_text(sorted({str(i) for i in series.index[dup]})[:3])}."
        )
    return series


def known_order(values: Sequence[Any]) -> list[Any] | None:
    """Best-first order of a known label set (RFM names, lifecycle stages), else None."""
    from ._lifecycle import STAGES
    from ._rfm_map import DEFAULT_SEGMENT_MAP

    present = set(values)
    for vocabulary in (list(DEFAULT_SEGMENT_MAP), list(STAGES)):
        if present and present <= set(vocabulary):
            return [v for v in vocabulary if v in present]
    return None


def _ordered_labels(b: pd.Series, a: pd.Series) -> list[Any]:
    """One label order for both axes: categories, a known order, else sorted."""
    cats: list[Any] = []
    for series in (b, a):
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats += [c for c in series.cat.categories if c not in cats]
    values = [*pd.unique(b), *pd.unique(a)]
    found = list(dict.fromkeys(values))
    if cats and set(found) <= set(cats):
        return cats
    known = known_order(found)
    if known is not None:
        return known
    try:
        return sorted(found)
    except TypeError:
        return found


def segment_migration(
    before: Any,
    after: Any,
    *,
    labels: Sequence[Any] | None = None,
    new_label: str = "(new)",
    gone_label: str = "(gone)",
) -> Migration:
    """Transition matrix of customers between two labelings, such as segments at two dates.

    Customers are matched by id. Those in ``before`` only are counted in the
    ``gone_label`` column, those in ``after`` only in the ``new_label`` row, so
    every customer of either labeling is counted exactly once.

    Parameters
    ----------
    before, after : pandas.Series or DataFrame
        A Series indexed by customer id holding the labels (segment names or
        numbers, lifecycle stages, tier grades), or a frame (pandas, polars,
        pyarrow) with two columns: customer id, label. Ids must be unique and
        labels present.
    labels : sequence, optional
        Order of the labels of both axes, best first; every label in the data
        must be in it and labels absent from the data get empty rows and columns
        (useful to keep all grades A-D). Default: the categories of categorical
        Series, else the order of :data:`DEFAULT_SEGMENT_MAP` (RFM names) or of
        :data:`STAGES` (lifecycle stages) when all labels are in it, else the
        sorted labels. Either way rows and columns list the labels of both
        ``before`` and ``after`` in the same order, so the diagonal is "stayed".
    new_label, gone_label : str, default="(new)" and "(gone)"
        Names of the extra row and column.

    Returns
    -------
    Migration
        With ``counts`` and ``shares`` (row shares) DataFrames.

    See Also
    --------
    KMeansSegmenter.predict : Segments of the same customers at a later date.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.segments import segment_migration
    >>> before = pd.Series({"a": "A", "b": "A", "c": "B", "d": "B"})
    >>> after = pd.Series({"a": "A", "b": "B", "c": "B", "e": "A"})
    >>> m = segment_migration(before, after)
    >>> m.counts
    after  A  B  (gone)
    before
    A      1  1       0
    B      0  1       1
    (new)  1  0       0
    >>> m.shares
    after     A    B  (gone)
    before
    A       0.5  0.5     0.0
    B       0.0  0.5     0.5
    (new)   1.0  0.0     0.0
    """
    b = _as_labels(before, "before")
    a = _as_labels(after, "after")
    if new_label == gone_label:
        raise InvalidValueError(
            f"new_label and gone_label must differ; both are {new_label!r}."
        )
    try:
        ids = b.index.union(a.index)
    except TypeError as err:  # pragma: no cover - pandas unions mixed ids as objects
        raise InvalidDtypeError("before and after customer ids cannot be compared.") from err
    if labels is not None:
        rows = list(labels)
        found = set(pd.unique(b)) | set(pd.unique(a))
        unknown = sorted(str(v) for v in found - set(rows))
        if unknown:
            raise InvalidValueError(
                f"labels ({names_text(list(labels))}) does not list {len(unknown)} label(s) "
                f"found in the data: {names_text(unknown)}."
            )
    else:
        rows = _ordered_labels(b, a)
    cols = rows
    clash = {new_label, gone_label} & set(rows)
    if clash:
        raise InvalidValueError(
            f"the labels {names_text(sorted(clash))} are also used for customers who appear or "
            "vanish; "
            "pass other new_label / gone_label."
        )
    row_of = pd.Series(b.reindex(ids).astype(object)).fillna(new_label)
    col_of = pd.Series(a.reindex(ids).astype(object)).fillna(gone_label)
    row_order = [*rows, new_label]
    col_order = [*cols, gone_label]
    r = pd.Index(row_order).get_indexer(row_of.to_numpy())
    c = pd.Index(col_order).get_indexer(col_of.to_numpy())
    counts_arr = np.zeros((len(row_order), len(col_order)), dtype=np.int64)
    np.add.at(counts_arr, (r, c), 1)
    index = pd.Index(row_order, name="before", dtype=object)
    columns = pd.Index(col_order, name="after", dtype=object)
    counts = pd.DataFrame(counts_arr, index=index, columns=columns)
    totals = counts_arr.sum(axis=1, keepdims=True)
    shares_arr = np.divide(
        counts_arr, totals, out=np.zeros(counts_arr.shape, dtype=np.float64), where=totals > 0
    )
    shares = pd.DataFrame(shares_arr, index=index, columns=columns)
    return Migration(counts=counts, shares=shares, new_label=new_label, gone_label=gone_label)
