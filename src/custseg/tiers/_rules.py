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
    "A blank value (null, NaN, empty text) and a category not seen in fit are missing: at "
    "each split a missing value goes to the side learnt for it, or, when no training "
    "customer had the feature missing, to the side that held more of them; a NOT IN "
    "condition includes missing values, an IN condition excludes them."
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
    """The flat conditions of one feature along a leaf's path.

    Each dict has ``feature``, ``op`` and ``or_blank`` (a missing value satisfies it).
    ``op`` is ``"<="``/``">"``/``"="`` (with ``value``), ``"in"``/``"not in"`` (with
    ``values``: an ``in`` excludes missing values, a ``not in`` includes them, blanks and
    unseen categories alike), ``"is blank"`` or ``"is not blank"``.
    """
    name = names[cond.feature]
    low = None if cond.low is None or cond.low == -np.inf else float(cond.low)
    high = None if cond.high is None or cond.high == np.inf else float(cond.high)
    if name in cats:  # (a split at +inf sends every known category left)
        categories = cats[name]
        codes = np.arange(len(categories))
        keep = (codes <= (np.inf if high is None else high)) & (
            codes > (-np.inf if low is None else low))
        if cond.missing:
            dropped = sorted(categories[k] for k in codes[~keep])
            if not dropped:
                return []
            return [{"feature": name, "op": "not in", "values": dropped, "or_blank": True}]
        kept = sorted(categories[k] for k in codes[keep])
        return [{"feature": name, "op": "in", "values": kept, "or_blank": False}]
    if low == np.inf:  # right of a split at +inf: only missing values come here
        return [{"feature": name, "op": "is blank", "or_blank": True}]
    blank = bool(cond.missing)
    if name in booleans and (low is None) != (high is None):
        # thresholds of a 0/1 column lie in [0, 1): "<= t" is False, "> t" is True
        return [{"feature": name, "op": "=", "value": low is not None, "or_blank": blank}]
    out: list[dict] = []
    if low is not None:
        out.append({"feature": name, "op": ">", "value": low, "or_blank": blank})
    if high is not None:
        out.append({"feature": name, "op": "<=", "value": high, "or_blank": blank})
    if not out and not blank:
        out.append({"feature": name, "op": "is not blank", "or_blank": False})
    return out


def _bare_text(c: dict, sql: bool) -> str:
    """One condition without its missing-value part."""
    feature = sql_identifier(c["feature"]) if sql else c["feature"]
    if c["op"] == "is blank":
        return f"{feature} IS NULL" if sql else f"{feature} is blank"
    if c["op"] == "is not blank":
        return f"{feature} IS NOT NULL" if sql else f"{feature} is not blank"
    if c["op"] == "=":
        return f"{feature} = {'TRUE' if c['value'] else 'FALSE'}"
    if c["op"] in {"in", "not in"}:
        values = ", ".join(_quote_str(v) for v in c["values"])
        return f"{feature} {c['op'].upper()} ({values})"
    value = sql_number(c["value"]) if sql else repr(float(c["value"]))
    return f"{feature} {c['op']} {value}"


def _conds_text(conds: list[dict], sql: bool) -> str:
    """Conditions joined by AND; one feature's conditions that a missing value also meets
    are grouped: ``(x > 1.0 AND x <= 5.0 OR x is blank)``. In the text a ``NOT IN`` reads
    as including blanks (and unseen categories) by itself."""
    parts: list[str] = []
    k = 0
    while k < len(conds):
        c = conds[k]
        group = [c]
        while (k + len(group) < len(conds) and conds[k + len(group)]["feature"] == c["feature"]
               and conds[k + len(group)].get("or_blank") == c.get("or_blank")):
            group.append(conds[k + len(group)])
        k += len(group)
        text = " AND ".join(_bare_text(g, sql) for g in group)
        implied = not sql and all(g["op"] in {"not in", "is blank"} for g in group)
        if c.get("or_blank") and not implied and c["op"] != "is blank":
            feature = sql_identifier(c["feature"]) if sql else c["feature"]
            text = f"({text} OR {feature} {'IS NULL' if sql else 'is blank'})"
        parts.append(text)
    return " AND ".join(parts) or "TRUE"


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
        out["missing_left"] = bool(tt.missing_left[i])
        if name in cats:
            out["kind"] = "categorical"
            out["categories_left"] = [c for k, c in enumerate(cats[name]) if k <= thr]
        else:
            out["kind"] = "numeric"
        left = _conditions(Condition(f, None, thr, bool(tt.missing_left[i])), names, cats, set())
        out["condition"] = _conds_text(left, False)
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
        cond = _conds_text(r["conditions"], False)
        stats = f"(n={r['n']}, {100 * r['share']:.0f}% {r['grade']})"
        lines.append(f"IF {cond} THEN {r['grade']}  {stats}")
    return "\n".join(lines)


def _sql(rules: dict[str, Any], else_value: Any) -> str:
    lines = ["CASE"]
    for r in rules["rules"]:
        cond = _conds_text(r["conditions"], True)
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
