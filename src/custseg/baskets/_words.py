"""Association rules in plain words, for reports and command-line output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["describe_rules", "join_items", "rule_sentence"]


def join_items(items: Iterable[Any]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``: the items in sorted order.

    Examples
    --------
    >>> from custseg.baskets import join_items
    >>> join_items({"Paper", "Binders", "Art"})
    'Art, Binders and Paper'
    """
    names = sorted(str(v) for v in items)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rule_sentence(antecedents: Iterable[Any], consequents: Iterable[Any], lift: float) -> str:
    """One rule as a sentence a business reader can act on.

    Parameters
    ----------
    antecedents, consequents : iterable of items
        The two sides of the rule.
    lift : float
        How many times as often as average the consequents are bought with the
        antecedents.

    Returns
    -------
    str
        "customers who buy A and B also buy C: 3.1x as often as average".

    Examples
    --------
    >>> from custseg.baskets import rule_sentence
    >>> rule_sentence(["Paper", "Binders"], ["Labels"], 3.14)
    'customers who buy Binders and Paper also buy Labels: 3.1x as often as average'
    """
    return (f"customers who buy {join_items(antecedents)} also buy {join_items(consequents)}: "
            f"{lift:.1f}x as often as average")


def describe_rules(rules: Any) -> list[str]:
    """The sentence of every rule of a rules table, in its order.

    Parameters
    ----------
    rules : DataFrame
        ``AssociationRules.rules_`` (pandas with frozensets, or polars or pyarrow
        with list columns): ``antecedents``, ``consequents`` and ``lift``.

    Returns
    -------
    list of str
        One sentence per row (see :func:`rule_sentence`).

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import AssociationRules, describe_rules
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c"],
    ...     "date": pd.to_datetime(["2024-01-01"] * 5), "amount": [1.0] * 5,
    ...     "product": ["tea", "milk", "tea", "milk", "jam"]})
    >>> rules = AssociationRules(min_support=0.5, product_col="product").fit(log).rules_
    >>> describe_rules(rules)[0]
    'customers who buy milk also buy tea: 1.5x as often as average'
    """
    if hasattr(rules, "to_pydict"):  # pyarrow
        cols = rules.to_pydict()
        ante, cons, lift = cols["antecedents"], cols["consequents"], cols["lift"]
    elif hasattr(rules, "iloc"):
        ante, cons, lift = (rules[c].tolist() for c in ("antecedents", "consequents", "lift"))
    else:
        ante, cons, lift = (rules[c].to_list() for c in ("antecedents", "consequents", "lift"))
    return [rule_sentence(a, c, float(x)) for a, c, x in zip(ante, cons, lift, strict=True)]
