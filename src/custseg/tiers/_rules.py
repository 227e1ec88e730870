"""Rule export of a fitted TierClassifier: text, dict/JSON and a SQL CASE expression."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from ..exceptions import InvalidValueError
from ._tree import Condition, TierTree, leaf_paths

_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {
    "all", "and", "any", "as", "asc", "between", "by", "case", "check", "column", "default",
    "desc", "distinct", "else", "end", "from", "group", "having", "in", "is", "join", "like",
    "limit", "not", "null", "offset", "on", "or", "order", "range", "rows", "select", "table",
    "then", "to", "union", "user", "values", "when", "where", "window", "with",
}  # fmt: skip

UNSEEN_RULE = (
    "A category not seen in fit goes, at every split on its column, to the side holding the "
    "lower-graded categories (the NOT IN side), as if it were worse than every known category."
)


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """Bare identifier when safe, else a double-quoted one."""
    if _SIMPLE.match(name) and name.lower() not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def sql_number(value: float) -> str:
    """Shortest exact decimal of a float64, with an exponent so SQL reads it as a double."""
    text = repr(float(value))
    return text if ("e" in text or "E" in text) else text + "e0"


def sql_label(value: Any) -> str:
    value = _py(value)
    if isinstance(value, str):
        return _quote_str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return sql_number(value)
    return _quote_str(str(value))


def _conditions(
    cond: Condition, names: list[str], cats: dict[str, list[str]], booleans: set[str]
) -> list[dict]:
    name = names[cond.feature]
    if name in booleans and (cond.low is None) != (cond.high is None):
        # thresholds of a 0/1 column lie in [0, 1): "<= t" is False, "> t" is True
        return [{"feature": name, "op": "=", "value": cond.low is not None}]
    if name in cats:
        categories = cats[name]
        codes = np.arange(len(categories))
        if cond.high is not None:
            keep = (codes <= cond.high) & (codes > (-np.inf if cond.low is None else cond.low))
            kept = sorted(categories[k] for k in codes[keep])
            return [{"feature": name, "op": "in", "values": kept}]
        assert cond.low is not None
        drop = codes <= cond.low
        dropped = sorted(categories[k] for k in codes[drop])
        return [{"feature": name, "op": "not in", "values": dropped}]
    out = []
    if cond.low is not None:
        out.append({"feature": name, "op": ">", "value": float(cond.low)})
    if cond.high is not None:
        out.append({"feature": name, "op": "<=", "value": float(cond.high)})
    return out


def _cond_text(c: dict, sql: bool) -> str:
    feature = sql_identifier(c["feature"]) if sql else c["feature"]
    if c["op"] == "=":
        return f"{feature} = {'TRUE' if c['value'] else 'FALSE'}"
    if c["op"] in {"in", "not in"}:
        values = ", ".join(_quote_str(v) for v in c["values"])
        return f"{feature} {c['op'].upper()} ({values})"
    value = sql_number(c["value"]) if sql else repr(float(c["value"]))
    return f"{feature} {c['op']} {value}"


def _distribution(row: np.ndarray, classes: list[Any]) -> dict[str, float]:
    return {str(label): float(p) for label, p in zip(classes, row, strict=True)}


def to_dict(clf: Any) -> dict[str, Any]:
    tt: TierTree = clf.tree_structure_
    names: list[str] = list(clf._feature_names)
    cats: dict[str, list[str]] = clf.categories_
    booleans = set(getattr(clf, "boolean_features_", []))
    classes = [_py(c) for c in clf.classes_.tolist()]
    proba = tt.proba()

    def node(i: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": i,
            "n": int(tt.n[i]),
            "distribution": _distribution(proba[i], classes),
        }
        f = int(tt.feature[i])
        if f < 0:
            out["leaf"] = True
            out["grade"] = classes[int(tt.label[i])]
            return out
        name = names[f]
        thr = float(tt.threshold[i])
        out["leaf"] = False
        out["grade"] = classes[int(np.argmax(tt.weight[i]))]
        out["feature"] = name
        out["threshold"] = thr
        if name in cats:
            left = [c for k, c in enumerate(cats[name]) if k <= thr]
            out["kind"] = "categorical"
            out["categories_left"] = left
            out["condition"] = _cond_text({"feature": name, "op": "in", "values": left}, False)
        else:
            out["kind"] = "numeric"
            out["condition"] = _cond_text({"feature": name, "op": "<=", "value": thr}, False)
        out["left"] = node(int(tt.left[i]))
        out["right"] = node(int(tt.right[i]))
        return out

    rules = []
    for leaf, path in leaf_paths(tt).items():
        conds = [c for cond in path for c in _conditions(cond, names, cats, booleans)]
        label_pos = int(tt.label[leaf])
        rules.append(
            {
                "leaf": int(leaf),
                "grade": classes[label_pos],
                "n": int(tt.n[leaf]),
                "share": float(proba[leaf, label_pos]),
                "distribution": _distribution(proba[leaf], classes),
                "conditions": conds,
                "_order": (label_pos, -int(tt.n[leaf]), int(leaf)),
            }
        )
    rules.sort(key=lambda r: r.pop("_order"))
    return {
        "format": "custseg.tier_rules",
        "version": 1,
        "grades": classes,
        "features": names,
        "categorical": {k: list(v) for k, v in cats.items()},
        "unseen_category": UNSEEN_RULE,
        "n_leaves": int(tt.leaves().size),
        "tree": node(0),
        "rules": rules,
    }


def _text(rules: dict[str, Any]) -> str:
    lines = []
    for r in rules["rules"]:
        cond = " AND ".join(_cond_text(c, False) for c in r["conditions"]) or "TRUE"
        stats = f"(n={r['n']}, {100 * r['share']:.0f}% {r['grade']})"
        lines.append(f"IF {cond} THEN {r['grade']}  {stats}")
    return "\n".join(lines)


def _sql(rules: dict[str, Any], else_value: Any) -> str:
    lines = ["CASE"]
    for r in rules["rules"]:
        cond = " AND ".join(_cond_text(c, True) for c in r["conditions"]) or "TRUE"
        lines.append(f"  WHEN {cond} THEN {sql_label(r['grade'])}")
    if else_value is not None:
        lines.append(f"  ELSE {sql_label(else_value)}")
    lines.append("END")
    return "\n".join(lines)


def export(clf: Any, format: str, *, else_value: Any = None) -> Any:
    if format not in {"text", "json", "dict", "sql"}:
        raise InvalidValueError(
            f"format must be one of 'text', 'json', 'dict', 'sql'; got {format!r}."
        )
    rules = to_dict(clf)
    if format == "dict":
        return rules
    if format == "json":
        return json.dumps(rules, indent=2)
    if format == "text":
        return _text(rules)
    return _sql(rules, else_value)
