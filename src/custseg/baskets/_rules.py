"""Association rules from frequent itemsets, with mlxtend's columns and definitions."""

from __future__ import annotations

from typing import Any

import polars as pl

from ._itemsets import COUNT, N_BASKETS, item_name, subsets

__all__ = ["METRICS", "rules_from_itemsets"]

METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift",
           "leverage", "conviction"]
ANTE, CONS = "antecedents", "consequents"


def _supports(levels: list[pl.DataFrame], groups: list[str]) -> dict[int, pl.DataFrame]:
    return {len(lv.columns) - len(groups) - 2: lv for lv in levels}


def rules_from_itemsets(
    levels: list[pl.DataFrame], groups: list[str], *, min_confidence: float, min_lift: float,
) -> pl.DataFrame:
    """Every rule A -> C of the frequent itemsets passing both thresholds.

    For each frequent itemset of two or more items and each split of it into a
    non-empty antecedent A and consequent C (mlxtend's ``association_rules``):

    - ``support`` = supp(A ∪ C), ``antecedent support`` = supp(A),
      ``consequent support`` = supp(C);
    - ``confidence`` = supp(A ∪ C) / supp(A);
    - ``lift`` = confidence / supp(C);
    - ``leverage`` = supp(A ∪ C) - supp(A) supp(C);
    - ``conviction`` = (1 - supp(C)) / (1 - confidence), infinite when confidence is 1.

    Supports are counts over the group's baskets; every subset of a frequent
    itemset is frequent, so its support is among the levels.
    """
    by_size = _supports(levels, groups)
    parts: list[pl.DataFrame] = []
    for k, level in by_size.items():
        if k < 2:
            continue
        for ante in subsets(k):
            cons = tuple(i for i in range(k) if i not in ante)
            frame = level
            for side, pos in (("a", ante), ("c", cons)):
                ref = by_size[len(pos)]
                names = {item_name(j): item_name(p) for j, p in enumerate(pos)}
                ref = ref.select(*groups, *names, pl.col(COUNT).alias(f"__{side}count"))
                frame = frame.join(ref.rename(names), on=[*groups, *names.values()],
                                   how="left", nulls_equal=True)
            parts.append(frame.select(
                *groups,
                pl.concat_list([item_name(p) for p in ante]).alias(ANTE),
                pl.concat_list([item_name(p) for p in cons]).alias(CONS),
                COUNT, "__acount", "__ccount", N_BASKETS,
            ))
    if not parts:
        return _empty(levels, groups)
    rules = pl.concat(parts, how="vertical")
    n = pl.col(N_BASKETS).cast(pl.Float64)
    s_ac = pl.col(COUNT) / n
    s_a = pl.col("__acount") / n
    s_c = pl.col("__ccount") / n
    rules = rules.with_columns(
        s_a.alias("antecedent support"), s_c.alias("consequent support"), s_ac.alias("support"),
        ((s_ac * n) / (s_a * n)).alias("confidence"),  # mlxtend's own arithmetic
    ).with_columns(
        (pl.col("confidence") / pl.col("consequent support")).alias("lift"),
        (pl.col("support") - pl.col("antecedent support") * pl.col("consequent support"))
        .alias("leverage"),
        pl.when(pl.col("confidence") < 1.0)
        .then((1.0 - pl.col("consequent support")) / (1.0 - pl.col("confidence")))
        .otherwise(float("inf")).alias("conviction"),
    ).filter(
        (pl.col("confidence") >= min_confidence) & (pl.col("lift") >= min_lift)
    )
    return rules.select(*groups, ANTE, CONS, *METRICS, pl.col(COUNT).alias("n_baskets")).sort(
        [*groups, "lift", "confidence", "support", ANTE, CONS],
        descending=[*([False] * len(groups)), True, True, True, False, False],
    )


def _empty(levels: list[pl.DataFrame], groups: list[str]) -> pl.DataFrame:
    item_type: Any = levels[0].schema[item_name(0)] if levels else pl.String
    schema: dict[str, Any] = {g: levels[0].schema[g] if levels else pl.String for g in groups}
    schema.update({ANTE: pl.List(item_type), CONS: pl.List(item_type)})
    schema.update(dict.fromkeys(METRICS, pl.Float64))
    schema["n_baskets"] = pl.UInt32
    return pl.DataFrame(schema=schema)
