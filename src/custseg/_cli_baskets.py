"""``custseg rules`` and ``custseg recommend``: the basket commands of the command line.

Registered by :mod:`custseg.cli` (``add_parsers`` and ``COMMANDS``); like the rest
of the command line, nothing heavy is imported before a command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ._cli_args import add_log_input

__all__ = ["COMMANDS", "EPILOG", "add_parsers"]

#: Separator of the items of one rule side in CSV output (product names hold commas).
ITEM_SEP = " | "

EPILOG = {
    "rules": """\
examples:
  custseg rules orders.csv --product-col product --order-col order_id -o rules.csv
  custseg rules superstore.csv --customer-col "Customer ID" --time-col "Order Date" \\
      --amount-col Sales --order-col "Order ID" --product-col Sub-Category --by Segment \\
      --min-support 0.005 --min-confidence 0.1 --plot rules.png

One row per rule: the segment (--by), antecedents and consequents (items joined by
" | " in CSV, lists in parquet), support, confidence, lift, leverage, conviction
(mlxtend's definitions), n_baskets and the rule in words. A basket is one order
(--order-col), else one customer-day.""",
    "recommend": """\
examples:
  custseg recommend orders.csv --product-col product --order-col order_id -o next.csv
  custseg recommend orders.csv --product-col category --include-purchased -n 3
  custseg recommend orders.csv --product-col product --by segment --evaluate 2024-06-30

Without --evaluate: N rows per customer (customer, rank, product, score, reason),
fitted on the log up to --as-of. With --evaluate DATE: fit up to DATE, and print hit
rate, precision, recall and coverage at N on the later purchases, beside the global
and segment best sellers.""",
}


def _add_thresholds(p: argparse.ArgumentParser, confidence: float, max_len: int) -> None:
    g = p.add_argument_group("rules")
    g.add_argument("--min-support", type=float, default=0.01, metavar="SHARE",
                   help="smallest share of baskets holding an itemset (default: %(default)s)")
    g.add_argument("--min-confidence", type=float, default=confidence, metavar="SHARE",
                   help="smallest confidence of a rule (default: %(default)s)")
    g.add_argument("--min-lift", type=float, default=1.0, metavar="X",
                   help="smallest lift of a rule (default: %(default)s)")
    g.add_argument("--max-len", type=int, default=max_len, metavar="N",
                   help="most items in a rule (default: %(default)s)")
    g.add_argument("--by", metavar="COLUMN",
                   help="segment column of the log: rules per segment (one per customer)")


def add_parsers(add: Callable[[str, str], argparse.ArgumentParser],
                columns: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``rules`` and ``recommend`` through the command line's ``add`` and column flags."""
    p = add("rules", "Write the association rules of the baskets: what is bought together.")
    add_log_input(p, as_of="count baskets up to this date (default: the last transaction)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="also draw support against confidence, coloured by lift")
    columns(p)
    _add_thresholds(p, confidence=0.5, max_len=3)

    p = add("recommend", "Write each customer's next best products, with the reason for each.")
    add_log_input(p, as_of="fit on the log up to this date (default: the last transaction)")
    p.add_argument("-n", type=int, default=5, metavar="N",
                   help="products per customer (default: %(default)s)")
    p.add_argument("--include-purchased", action="store_true",
                   help="also recommend products the customer has bought (re-buys, e.g. "
                        "groceries or categories)")
    p.add_argument("--evaluate", metavar="DATE",
                   help="fit up to DATE and print the hit rate on the later purchases "
                        "beside the best-seller baselines")
    columns(p)
    _add_thresholds(p, confidence=0.1, max_len=3)
    g = p.add_argument_group("score")
    g.add_argument("--rule-weight", type=float, default=0.5, metavar="W",
                   help="exponent of a rule's lift in the score (default: %(default)s)")
    g.add_argument("--shrinkage", type=float, default=100.0, metavar="BASKETS",
                   help="pseudo-baskets pulling a segment's best sellers toward all "
                        "customers' (default: %(default)s)")
    g.add_argument("--history-prior", type=float, default=20.0, metavar="BASKETS",
                   help="pseudo-baskets pulling a customer's own history toward the "
                        "segment's, with --include-purchased (default: %(default)s)")
    g.add_argument("--cobuy-weight", type=float, default=0.0, metavar="W",
                   help="exponent of the lift of products bought by the same customers, "
                        "in any basket (default: %(default)s: off)")


def _columns(args: argparse.Namespace) -> dict[str, Any]:
    from .io._options import log_options

    return log_options(args, keys=("customer_col", "time_col", "amount_col", "product_col",
                                   "order_col", "time_format"))


def _thresholds(args: argparse.Namespace) -> dict[str, Any]:
    return dict(min_support=args.min_support, min_confidence=args.min_confidence,
                min_lift=args.min_lift, max_len=args.max_len, by=args.by)


def _need_product(args: argparse.Namespace) -> None:
    if not args.product_col:
        from .exceptions import InvalidValueError

        raise InvalidValueError(
            "--product-col is required: name the column holding the product, category or "
            "any item id of each line.")


@contextmanager
def _options() -> Iterator[None]:
    """A bad option value (scikit-learn's parameter check) as a custseg error naming it."""
    from ._sklearn_compat import InvalidParameterError
    from .exceptions import InvalidValueError

    try:
        yield
    except InvalidParameterError as err:
        text = " ".join(str(err).split())
        name = text.split("'")[1] if text.count("'") >= 2 else ""
        option = "--" + name.replace("_", "-") if name else "an option"
        raise InvalidValueError(f"{option}: {text}") from None


def rules_table(rules: Any) -> Any:
    """``rules_`` for a file: item sides as text (CSV) and the rule in words."""
    from .baskets import describe_rules

    out = rules.copy()
    out["rule"] = describe_rules(rules)
    for side in ("antecedents", "consequents"):
        out[side] = [ITEM_SEP.join(sorted(map(str, v))) for v in rules[side]]
    return out


def _cmd_rules(args: argparse.Namespace, progress: Any, out: TextIO) -> int:
    from . import cli
    from .baskets import AssociationRules

    _need_product(args)
    cli._check_output(args.output, cli.TABLE_SUFFIXES)
    if args.plot:
        cli._check_output(args.plot, (".png", ".svg", ".pdf"), "--plot")
    as_of = cli._date(args.as_of, "--as-of")
    progress(f"reading {args.input}")
    log = cli._read(args, args.customer_col)
    progress(f"counting frequent itemsets of '{args.product_col}' in {len(log):,} lines")
    with _options():
        est = AssociationRules(**_thresholds(args), **_columns(args), observation_date=as_of,
                               future="drop").fit(log)
    rules = est.rules_
    if args.plot:
        _plot(rules, args.plot, args.by)
    progress(f"writing {len(rules):,} rules to {args.output}")
    cli._write_table(rules_table(rules), args.output, out)
    return cli.EXIT_OK


def _plot(rules: Any, path: str, by: str | None) -> None:
    from matplotlib.figure import Figure

    from .io._write import atomic_output
    from .plotting import plot_rules

    fig = Figure(figsize=(8, 5), layout="constrained")
    plot_rules(rules, ax=fig.add_subplot())
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1].lower())


def _cmd_recommend(args: argparse.Namespace, progress: Any, out: TextIO) -> int:
    from . import cli
    from .baskets import ProductRecommender, compare_recommenders
    from .exceptions import InvalidValueError

    _need_product(args)
    if args.n < 1:
        raise InvalidValueError(f"-n {args.n} must be at least 1.")
    cli._check_output(args.output, cli.TABLE_SUFFIXES)
    progress(f"reading {args.input}")
    log = cli._read(args, args.customer_col)
    rec = ProductRecommender(
        **_thresholds(args), **_columns(args), exclude_purchased=not args.include_purchased,
        rule_weight=args.rule_weight, shrinkage=args.shrinkage,
        history_prior=args.history_prior, cobuy_weight=args.cobuy_weight)
    if args.evaluate:
        cutoff = cli._date(args.evaluate, "--evaluate")
        progress(f"fitting up to {cutoff} and evaluating on the later purchases")
        with _options():
            table = compare_recommenders(rec, log, cutoff, n=args.n)
        cli._write_table(table, args.output, out)
        return cli.EXIT_OK
    as_of = cli._date(args.as_of, "--as-of")
    progress(f"fitting on {len(log):,} lines")
    with _options():
        rec.set_params(observation_date=as_of, future="drop").fit(log)
    recs = rec.recommend(rec.customers_[args.customer_col].to_list(), n=args.n)
    progress(f"writing {len(recs):,} recommendations to {args.output}")
    cli._write_table(recs, args.output, out)
    return cli.EXIT_OK


COMMANDS = {"rules": _cmd_rules, "recommend": _cmd_recommend}
