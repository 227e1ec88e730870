"""RFM scores (1..n_levels), cell codes and named segments from a map of rules."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .._frame import FrameInfo, read_table, to_kind
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..base import OutputNamesMixin
from ..exceptions import InvalidValueError
from ..utils._state import frame_from_state, frame_to_state
from ._frames import _CustomerTableInputMixin, require_columns, require_numeric, require_unique_ids
from ._rfm_arrays import MATRIX_OUTPUT, is_array_input, matrix_values, matrix_width
from ._rfm_bins import balanced_bins
from ._rfm_map import DEFAULT_SEGMENT_MAP, _all_cells, _compile_map

__all__ = ["RFMScorer"]

_DIMS = ("recency", "frequency", "monetary")
OUTPUT_COLUMNS = ("r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "segment")


class RFMScorer(OutputNamesMixin, _CustomerTableInputMixin, TransformerMixin, BaseEstimator):
    """Transformer: RFM scores, the cell code, a combined score and a named segment.

    Reads a per-customer table such as the output of :func:`custseg.features.rfm`
    (column names are parameters). ``fit`` learns, for recency, frequency and
    monetary value, the edges of ``n_levels`` score levels; ``transform`` applies
    those same edges to any table, so customers scored later are comparable.

    **Scores.** Each dimension is cut into levels of about equal size
    (quantiles), with ties kept together: all customers with the same value get
    the same score (:func:`balanced_bins`). Higher is better: recency is
    inverted (the most recent customers score ``n_levels``), frequency and
    monetary value are not. Heavy ties are the rule in purchase data: when 80%
    of customers bought once, those customers all get F = 1 and the remaining
    levels 2..n_levels split the repeat buyers evenly. With fewer distinct
    values than levels, the levels used are spread over 1..n_levels (two
    distinct values score 1 and ``n_levels``; a constant column scores the middle
    level). A missing value (for example the recency of a customer whose only
    rows were refunds) scores 1. ``bins_`` lists every level's range and size.

    **Names.** Each customer's cell (``"545"`` for R=5, F=4, M=5) gets the name of
    the one rule of ``segment_map`` that covers it; a map that leaves a cell
    without a name, or gives one several, is rejected at ``fit`` with the list of
    those cells.

    Parameters
    ----------
    n_levels : int, default=5
        Number of score levels (2 to 9, so that a cell code has one digit per
        score).
    recency_col, frequency_col, monetary_col : str
        Columns of the recency (days since the last purchase, lower is better),
        the frequency and the monetary value; default ``"recency_days"``,
        ``"frequency"`` and ``"monetary_total"``, as :func:`custseg.features.rfm`
        names them.
    customer_col : str or None, default="customer_id"
        Customer id column, copied to the output (name and dtype kept) and
        checked for duplicates; ``None`` when the table has none (an array
        input has none).
    layout : {"summary", "periods"}, default="summary"
        How ``X`` is read:

        - ``"summary"``: one row per customer; a dataframe by the column names
          above, a numeric array by position: exactly three columns, in this
          order, the recency, the frequency and the monetary value (a missing
          value scores 1, as in a table).
        - ``"periods"``: a customer-by-period matrix (an array, or a dataframe
          whose columns are the periods), one row per customer and one column per
          period of equal length, oldest first, the last one holding the
          observation date; each value is the customer's spend in that period, 0
          for none. Recency is the number of periods since the last purchase
          period (missing, so scored 1, for a customer without a purchase),
          frequency the number of purchase periods and monetary value the row's
          total. Any matrix of finite values >= 0 is valid; ``transform`` needs as
          many periods as ``fit``.

        An array or period matrix gives an array out (see :meth:`transform`).
    weights : tuple of 3 floats, default=(1.0, 1.0, 1.0)
        Weights of R, F and M in ``rfm_score`` (the weighted sum of the scores;
        3..15 with the defaults).
    segment_map : "default", dict or None, default="default"
        Rules naming the segments, ``{name: rule}``. A rule is a regular
        expression matched against the whole cell code (``"5[45][45]"``), a dict
        of inclusive score ranges on ``"R"``, ``"F"``, ``"M"`` and ``"FM"`` (the
        mean of F and M rounded half up), for example ``{"R": (4, 5), "FM": 5}``,
        or a list of such rules (their union). ``"default"`` is
        :data:`DEFAULT_SEGMENT_MAP`, the common 11-name scheme (Champions, Loyal
        Customers, Potential Loyalists, New Customers, Promising, Need Attention,
        About To Sleep, At Risk, Can't Lose Them, Hibernating, Lost), defined
        for 5 levels. ``None`` leaves out the ``segment`` column.

    Attributes
    ----------
    edges_ : dict of str to ndarray
        For ``"recency"``, ``"frequency"`` and ``"monetary"``: the bin edges in
        the column's units; a value at or below ``edges[i]`` (for recency: at or
        above, in days) and beyond ``edges[i-1]`` falls in bin ``i``.
    bin_scores_ : dict of str to ndarray
        The score of every bin, per dimension.
    bins_ : pandas.DataFrame
        One row per dimension and score: ``dimension``, ``score``, ``low`` and
        ``high`` (range of training values in that level) and ``n_customers``,
        ``share`` of training customers.
    cell_names_ : dict of str to str
        The segment name of every cell code (empty with ``segment_map=None``).
    feature_names_in_ : ndarray of str
        Columns of the table seen in ``fit`` (not set for an array input).
    n_features_in_ : int
        Number of those columns (3, or the number of periods, for an array).

    See Also
    --------
    custseg.features.rfm : Builds the input table from a transaction log.
    KMeansSegmenter : Data-driven segments instead of rules.
    Playbook : Recommended actions per segment name.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.segments import RFMScorer
    >>> table = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "d", "e"],
    ...     "recency_days": [3.0, 40.0, 10.0, 200.0, 90.0],
    ...     "frequency": [9, 1, 4, 1, 2],
    ...     "monetary_total": [500.0, 20.0, 150.0, 15.0, 60.0]})
    >>> RFMScorer().fit_transform(table)
      customer_id  r_score  f_score  m_score rfm_cell  rfm_score          segment
    0           a        5        5        5      555         15        Champions
    1           b        3        1        2      312          6   Need Attention
    2           c        4        4        4      444         12  Loyal Customers
    3           d        1        1        1      111          3             Lost
    4           e        2        2        3      223          7          At Risk

    Frequency has only four distinct values here (1, 2, 4, 9), so its four
    levels are spread over the scores 1, 2, 4 and 5:

    >>> RFMScorer().fit(table).bins_.query("dimension == 'frequency'")
      dimension  score  low  high  n_customers  share
    5 frequency      1  1.0   1.0            2    0.4
    6 frequency      2  2.0   2.0            1    0.2
    7 frequency      4  4.0   4.0            1    0.2
    8 frequency      5  9.0   9.0            1    0.2
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "n_levels": [Interval(Integral, 2, 9, closed="both")],
        "recency_col": [str],
        "frequency_col": [str],
        "monetary_col": [str],
        "customer_col": [str, None],
        "weights": [tuple, list],
        "segment_map": [StrOptions({"default"}), dict, None],
        "layout": [StrOptions({"summary", "periods"})],
    }

    def __init__(
        self,
        n_levels: int = 5,
        *,
        recency_col: str = "recency_days",
        frequency_col: str = "frequency",
        monetary_col: str = "monetary_total",
        customer_col: str | None = "customer_id",
        weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
        segment_map: str | dict[str, Any] | None = "default",
        layout: str = "summary",
    ) -> None:
        self.n_levels = n_levels
        self.recency_col = recency_col
        self.frequency_col = frequency_col
        self.monetary_col = monetary_col
        self.customer_col = customer_col
        self.weights = weights
        self.segment_map = segment_map
        self.layout = layout

    def _columns(self) -> dict[str, str]:
        cols = {
            "recency_col": self.recency_col,
            "frequency_col": self.frequency_col,
            "monetary_col": self.monetary_col,
        }
        if self.customer_col is not None:
            cols["customer_col"] = self.customer_col
        return cols

    def _read(
        self, X: Any, *, fit: bool = False,
    ) -> tuple[nw.DataFrame[Any] | None, dict[str, np.ndarray], FrameInfo | None]:
        """The table, its recency, frequency and monetary values, and what was passed
        (``None`` and ``None`` for an array input)."""
        if is_array_input(X, self.layout):
            width = None if fit or self.layout == "summary" else self.n_features_in_
            return None, matrix_values(X, self.layout, width), None
        frame, info = read_table(X, backend="narwhals", allow_arrays=False)
        require_columns(frame, self._columns())
        values = {}
        for dim, param, col in zip(
            _DIMS, ("recency_col", "frequency_col", "monetary_col"),
            (self.recency_col, self.frequency_col, self.monetary_col), strict=True,
        ):
            require_numeric(frame, param, col)
            v = frame[col].cast(nw.Float64()).to_numpy()
            values[dim] = np.asarray(v, dtype=np.float64)
        if self.customer_col is not None:
            require_unique_ids(frame, self.customer_col)
        return frame, values, info

    def _weights(self) -> np.ndarray:
        try:
            w = np.asarray([float(v) for v in self.weights], dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidValueError(
                f"weights={self.weights!r} must be three numbers (R, F, M)."
            ) from err
        if w.shape != (3,) or not np.isfinite(w).all():
            raise InvalidValueError(f"weights={self.weights!r} must be three finite numbers.")
        return w

    def _segment_lookup(self) -> np.ndarray | None:
        if self.segment_map is None:
            return None
        if isinstance(self.segment_map, str):
            if self.n_levels != 5:
                raise InvalidValueError(
                    f"segment_map='default' is defined for n_levels=5; got n_levels="
                    f"{self.n_levels}. Pass your own segment_map, or segment_map=None."
                )
            return _compile_map(DEFAULT_SEGMENT_MAP, 5)
        return _compile_map(self.segment_map, self.n_levels)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> RFMScorer:
        """Learn the score edges of recency, frequency and monetary value.

        Parameters
        ----------
        X : DataFrame or array of shape (n_customers, 3) or (n_customers, n_periods)
            Per-customer table (pandas, polars, pyarrow) with the columns named by
            the parameters, one row per customer, or an array (see ``layout``).
        y : None
            Ignored.

        Returns
        -------
        self : RFMScorer
            The fitted scorer.
        """
        self._weights()
        lookup = self._segment_lookup()
        frame, values, _ = self._read(X, fit=True)
        edges, scores, rows = {}, {}, []
        for dim in _DIMS:
            v = values[dim]
            ok = np.isfinite(v)
            if not ok.any():
                col = getattr(self, f"{dim}_col")
                raise InvalidValueError(
                    f"column '{col}' has no finite value in any of its {len(v)} rows (a "
                    "customer without a purchase has none), so the score edges cannot be "
                    "learnt."
                )
            good = -v[ok] if dim == "recency" else v[ok]
            e, s = balanced_bins(good, self.n_levels)
            bins = np.searchsorted(e, good, side="left")
            for b, score in enumerate(s):
                inside = good[bins == b]
                lo, hi = float(inside.min()), float(inside.max())
                if dim == "recency":
                    lo, hi = -hi, -lo
                rows.append({"dimension": dim, "score": int(score), "low": lo, "high": hi,
                             "n_customers": len(inside),
                             "share": len(inside) / len(v)})
            edges[dim] = -e if dim == "recency" else e
            scores[dim] = s
        self.edges_ = edges
        self.bin_scores_ = scores
        self._bins_state = frame_to_state(pd.DataFrame(rows))  # skops-safe, see bins_
        codes = _all_cells(self.n_levels)[1]
        self.cell_names_ = (
            {} if lookup is None
            else {str(c): str(n) for c, n in zip(codes, lookup, strict=True)}
        )
        self._lookup = lookup
        self._array_output = frame is None
        if frame is None:
            self.__dict__.pop("feature_names_in_", None)
            self.n_features_in_ = matrix_width(X)
        else:
            self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
            self.n_features_in_ = len(frame.columns)
        return self

    def _score(self, dim: str, v: np.ndarray) -> np.ndarray:
        good = -v if dim == "recency" else v
        e = -self.edges_[dim] if dim == "recency" else self.edges_[dim]
        out = self.bin_scores_[dim][np.searchsorted(e, good, side="left")]
        out[~np.isfinite(v)] = 1
        return np.asarray(out, dtype=np.int64)

    @property
    def bins_(self) -> pd.DataFrame:
        """Range and size of every score level (see the class docstring); a new DataFrame."""
        check_is_fitted(self)
        return frame_from_state(self._bins_state)

    def transform(self, X: Any) -> Any:
        """Score every customer with the fitted edges and name their segment.

        Parameters
        ----------
        X : DataFrame or array of shape (n_customers, 3) or (n_customers, n_periods)
            Per-customer table with the columns named by the parameters, or an
            array (see ``layout``).

        Returns
        -------
        DataFrame or ndarray of shape (n_customers, 4)
            For an array or period matrix, an array of the columns ``r_score``,
            ``f_score``, ``m_score`` and ``rfm_score`` (the cell code and segment
            name are text, given for a table only). For a table, the same kind
            as ``X`` (pandas in, pandas out; a lazy frame in, a lazy frame of the
            same engine out: see :func:`custseg._frame.to_kind`), same rows in the
            same order: the customer id (when ``customer_col`` is set),
            ``r_score``, ``f_score``, ``m_score`` (int), ``rfm_cell`` (str, e.g.
            ``"545"``), ``rfm_score`` (weighted sum of the scores) and ``segment``
            (str; not with ``segment_map=None``).
        """
        check_is_fitted(self)
        frame, values, info = self._read(X)
        r, f, m = (self._score(dim, values[dim]) for dim in _DIMS)
        w = self._weights()
        total = w[0] * r + w[1] * f + w[2] * m
        combined: np.ndarray = total.astype(np.int64) if (w == np.round(w)).all() else total
        cells = np.char.add(np.char.add(r.astype(str), f.astype(str)), m.astype(str))
        L = self.n_levels
        columns: dict[str, Any] = {
            "r_score": r, "f_score": f, "m_score": m,
            "rfm_cell": cells.astype(object), "rfm_score": combined,
        }
        if frame is None:
            return np.column_stack([r, f, m, combined])
        if self._lookup is not None:
            columns["segment"] = self._lookup[(r - 1) * L * L + (f - 1) * L + (m - 1)]
        backend = nw.get_native_namespace(frame)
        new = [
            nw.new_series(name, list(vals) if vals.dtype == object else vals,
                          nw.String() if vals.dtype == object else None, backend=backend)
            for name, vals in columns.items()
        ]
        if self.customer_col is not None:
            out = frame.select(self.customer_col).with_columns(*new)
        else:
            out = nw.from_dict({s.name: s for s in new}, backend=backend)
        return to_kind(out, info, keep_dtypes=tuple(self._columns().values()))

    def _output_names(self) -> list[str]:
        """The customer id (when set) then the score columns (numbers only for an array)."""
        if self._array_output:
            return list(MATRIX_OUTPUT)
        cols = [c for c in OUTPUT_COLUMNS if c != "segment" or self._lookup is not None]
        if self.customer_col is not None:
            cols.insert(0, self.customer_col)
        return cols

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.layout == "periods"  # purchase values >= 0
        tags.input_tags.allow_nan = self.layout == "summary"  # a missing value scores 1
        tags.transformer_tags.preserves_dtype = []  # scores are whole numbers, whatever X
        tags.requires_fit = True
        return tags
