"""Readable points rules: parsing, typing against a table, narwhals expressions and SQL."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw

from ..exceptions import InvalidDtypeError, InvalidValueError, names_text
from ..tiers._rules import sql_identifier, sql_label, sql_number

_COMPARE = (">=", "<=", "==", "!=", ">", "<")
_UNKNOWN = {"unknown", "missing", "is missing", "is null", "blank", "is blank", "is unknown"}
_KNOWN = {"known", "is known", "is not missing", "is not null", "present", "not blank"}
_CONDITION = re.compile(r"^\s*(?P<col>`[^`]+`|[A-Za-z_][\w.]*)\s*(?P<rest>.*?)\s*$", re.S)
_LIST = re.compile(r"^(?P<op>not\s+in|in)\s*[\{\[\(](?P<items>.*)[\}\]\)]$", re.S | re.I)
_BETWEEN = re.compile(r"^between\s+(?P<lo>\S+)\s+and\s+(?P<hi>\S+)$", re.I)
_OP = re.compile(r"^(?P<op>>=|<=|==|!=|=|>|<)\s*(?P<value>.+)$", re.S)
_ITEM = re.compile(r"""\s*(?:'((?:[^']|'')*)'|"([^"]*)"|([^,]+?))\s*(?:,|$)""")


@dataclass(frozen=True)
class PointsRule:
    """One named rule: when ``column op values`` holds, add ``points``."""

    name: str
    column: str
    op: str  # in, not in, >=, <=, ==, !=, >, <, between, unknown, known
    values: tuple[Any, ...]
    points: float

    @property
    def condition(self) -> str:
        """The condition as readable text (``industry in {ICT, Finance}``)."""
        col = self.column if re.fullmatch(r"[A-Za-z_][\w.]*", self.column) else f"`{self.column}`"
        if self.op in {"unknown", "known"}:
            return f"{col} {self.op}"
        if self.op in {"in", "not in"}:
            return f"{col} {self.op} {{{', '.join(_show(v) for v in self.values)}}}"
        if self.op == "between":
            return f"{col} between {_show(self.values[0])} and {_show(self.values[1])}"
        return f"{col} {self.op} {_show(self.values[0])}"

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain types (name, when, points)."""
        return {"name": self.name, "when": self.condition, "points": _number(self.points)}


@dataclass(frozen=True)
class RuleSet:
    """Parsed rules, the base points and the optional grade bands (label, minimum points)."""

    rules: tuple[PointsRule, ...]
    base: float = 0.0
    grades: tuple[tuple[Any, float | None], ...] | None = None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value if re.fullmatch(r"[\w.+-]+", value) else repr(value)
    return repr(_number(value))


def _number(value: float) -> Any:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _value(text: str) -> Any:
    """A bare or quoted literal: quoted text stays text, bare numbers become numbers."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].replace("''", "'") if text[0] == "'" else text[1:-1]
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _items(text: str) -> tuple[Any, ...]:
    out: list[Any] = []
    for m in _ITEM.finditer(text):
        if m.group(0).strip() == "" and m.end() == len(text):
            break
        if m.group(1) is not None:
            out.append(m.group(1).replace("''", "'"))
        elif m.group(2) is not None:
            out.append(m.group(2))
        elif m.group(3) is not None:
            out.append(_value(m.group(3)))
    return tuple(out)


def parse_condition(text: str, rule: str) -> tuple[str, str, tuple[Any, ...]]:
    """``"employees >= 500"`` -> ``("employees", ">=", (500.0,))``."""
    m = _CONDITION.match(text)
    if m is None:
        raise InvalidValueError(_syntax(rule, text))
    col, rest = m.group("col").strip("`"), m.group("rest")
    low = " ".join(rest.lower().split())
    if low in _UNKNOWN:
        return col, "unknown", ()
    if low in _KNOWN:
        return col, "known", ()
    if (lm := _LIST.match(rest)) is not None:
        values = _items(lm.group("items"))
        if not values:
            raise InvalidValueError(f"rule {rule!r}: the list in {text!r} is empty.")
        return col, " ".join(lm.group("op").lower().split()), values
    if (bm := _BETWEEN.match(rest)) is not None:
        return col, "between", (_value(bm.group("lo")), _value(bm.group("hi")))
    if (om := _OP.match(rest)) is not None:
        op = "==" if om.group("op") == "=" else om.group("op")
        return col, op, (_value(om.group("value")),)
    raise InvalidValueError(_syntax(rule, text))


def _syntax(rule: str, text: str) -> str:
    return (
        f"rule {rule!r}: cannot read the condition {text!r}. Write it as 'column in {{a, b}}', "
        "'column not in {a, b}', 'column >= 500' (>, >=, <, <=, ==, !=), 'column between 10 "
        "and 50', 'column unknown' or 'column known'; quote a column name with spaces as "
        "`my column`."
    )


def _points(value: Any, rule: str) -> float:
    try:
        points = float(str(value).replace(" ", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        points = math.nan
    if not math.isfinite(points) or isinstance(value, bool):
        raise InvalidValueError(f"rule {rule!r}: points must be a finite number; got {value!r}.")
    return points


def _rule(item: Any, position: int) -> PointsRule:
    if isinstance(item, str):
        cond, sep, pts = item.rpartition(":")
        if not sep:
            raise InvalidValueError(
                f"rule {position + 1} ({item!r}) has no points; write 'condition: points', "
                "for example 'employees >= 500: +20'."
            )
        col, op, values = parse_condition(cond, cond.strip())
        return PointsRule(cond.strip(), col, op, values, _points(pts, cond.strip()))
    if not isinstance(item, Mapping):
        raise InvalidValueError(
            f"rule {position + 1} must be a mapping (name, when, points) or a text "
            f"'condition: points'; got {type(item).__name__}."
        )
    unknown_keys = sorted(set(item) - {"name", "when", "column", "op", "value", "values",
                                       "points"})
    if unknown_keys:
        raise InvalidValueError(
            f"rule {position + 1} has unknown key(s) {names_text(unknown_keys)}; use name, when "
            "(or "
            "column, op, value/values) and points."
        )
    if "points" not in item:
        raise InvalidValueError(f"rule {position + 1} (keys {names_text(list(item))}) has no "
            "'points'.")
    if "when" in item:
        name = str(item.get("name", item["when"]))
        col, op, values = parse_condition(str(item["when"]), name)
    elif "column" in item and "op" in item:
        col = str(item["column"])
        op = " ".join(str(item["op"]).lower().split())
        name = str(item.get("name", f"{col} {op}"))
        raw = item.get("values", item.get("value", ()))
        values = tuple(raw) if isinstance(raw, (list, tuple, set, frozenset)) else (raw,)
        if op == "=":
            op = "=="
        if op in {"is missing", "missing"}:
            op = "unknown"
        if op not in {*_COMPARE, "in", "not in", "between", "unknown", "known"}:
            raise InvalidValueError(f"rule {name!r}: unknown op {item['op']!r}.")
        values = () if op in {"unknown", "known"} else values
    else:
        raise InvalidValueError(
            f"rule {position + 1} (keys {names_text(list(item))}) needs 'when' (a condition text) "
            "or "
            "'column' and 'op'."
        )
    _check_arity(name, op, values)
    return PointsRule(name, col, op, values, _points(item["points"], name))


def _check_arity(name: str, op: str, values: tuple[Any, ...]) -> None:
    need = {"between": 2, "unknown": 0, "known": 0}.get(op, 1)
    if op in {"in", "not in"} and values:
        return
    if len(values) != need:
        raise InvalidValueError(f"rule {name!r}: '{op}' needs {need or 'no'} value(s); got "
                                f"{names_text(values) if values else 'none'}.")


def _grades(obj: Any) -> tuple[tuple[Any, float | None], ...]:
    pairs = list(obj.items()) if isinstance(obj, Mapping) else [tuple(p) for p in obj]
    if len(pairs) < 2:
        raise InvalidValueError(f"grades needs at least 2 grades, best first; got {obj!r}.")
    out: list[tuple[Any, float | None]] = []
    for k, (label, low) in enumerate(pairs):
        last = k == len(pairs) - 1
        if last and low is not None:
            raise InvalidValueError(
                f"the last grade {label!r} takes every remaining lead: give it no minimum "
                f"(null); got {low!r}."
            )
        if not last and low is None:
            raise InvalidValueError(f"grade {label!r} needs a minimum number of points.")
        out.append((label, None if last else _points(low, f"grade {label}")))
    lows = [low for _, low in out[:-1]]
    if any(b >= a for a, b in itertools.pairwise(lows)):  # type: ignore[operator]
        raise InvalidValueError(
            f"grade minimums must be strictly decreasing, best grade first; got "
            f"{', '.join(f'{g} from {low:g}' for g, low in out[:-1])}."
        )
    if len({str(g) for g, _ in out}) != len(out):
        raise InvalidValueError(f"grades has duplicate labels: {names_text([g for g, _ in out])}.")
    return tuple(out)


def parse_rule_set(obj: Any) -> RuleSet:
    """Read a rule set: a list of rules, a ``{condition: points}`` mapping, or a mapping with
    ``rules`` and optional ``base`` and ``grades``."""
    if isinstance(obj, RuleSet):
        return obj
    base: float = 0.0
    grades = None
    if isinstance(obj, Mapping) and "rules" in obj:
        extra = sorted(set(obj) - {"rules", "base", "grades"})
        if extra:
            raise InvalidValueError(
                f"rule set has unknown key(s) {names_text(extra)}; use rules, base and grades."
            )
        base = _points(obj.get("base", 0), "base")
        grades = None if obj.get("grades") is None else _grades(obj["grades"])
        obj = obj["rules"]
    if isinstance(obj, Mapping):
        items: list[Any] = [{"name": str(k), "when": str(k), "points": v} for k, v in obj.items()]
    elif isinstance(obj, Sequence) and not isinstance(obj, str):
        items = list(obj)
    else:
        raise InvalidValueError(
            "rules must be a list of rules, a {condition: points} mapping or a mapping with "
            f"'rules'; got {type(obj).__name__}."
        )
    if not items:
        raise InvalidValueError("the rule set has no rules.")
    rules = tuple(_rule(item, k) for k, item in enumerate(items))
    names = [r.name for r in rules]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidValueError(f"rule names must be unique; repeated: {names_text(dup)}.")
    return RuleSet(rules, base, grades)


def read_rules(path: str | Path) -> Any:
    """Read a rule set from a ``.json``, ``.yaml`` or ``.yml`` file (plain data, unvalidated)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            import yaml
        except ImportError as err:
            raise InvalidValueError(
                f"reading {path.name} needs PyYAML (pip install 'custseg[yaml]'); or write the "
                "rules as JSON."
            ) from err
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise InvalidValueError(f"{path} is not valid YAML: {err}") from err
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidValueError(f"{path} is not valid JSON: {err}") from err


def typed_rule(rule: PointsRule, kind: str, dtype: Any) -> PointsRule:
    """The rule with its values typed for its column (numbers for numeric, text for the rest)."""
    if rule.op in {"unknown", "known"}:
        return rule
    if kind == "numeric":
        bad = [v for v in rule.values if isinstance(v, str) or isinstance(v, bool)]
        if bad:
            raise InvalidDtypeError(
                f"rule {rule.name!r}: column '{rule.column}' is numeric ({dtype}) but the rule "
                f"compares it with text {bad}."
            )
        return replace(rule, values=tuple(float(v) for v in rule.values))
    if rule.op not in {"in", "not in", "==", "!="}:
        raise InvalidDtypeError(
            f"rule {rule.name!r}: column '{rule.column}' holds categories ({dtype}); compare it "
            f"with 'in {{...}}', 'not in {{...}}', '==' or '!=', not '{rule.op}'."
        )
    boolean = str(dtype).lower().startswith("bool")
    return replace(rule, values=tuple(_category_text(v, boolean) for v in rule.values))


def _category_text(value: Any, boolean: bool) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.lower() if boolean else text


# -- evaluation: one narwhals expression per rule, and the same rule as SQL -----------------


def operand(column: str, kind: str) -> nw.Expr:
    """The column with blanks as null: stripped text ('' is null) or float (NaN is null)."""
    if kind == "numeric":
        x = nw.col(column).cast(nw.Float64())
        return nw.when(~x.is_nan()).then(x)
    s = nw.col(column).cast(nw.String()).str.strip_chars()
    return nw.when(s != "").then(s)


def condition(rule: PointsRule, kind: str) -> nw.Expr:
    x = operand(rule.column, kind)
    op, v = rule.op, rule.values
    if op == "unknown":
        return x.is_null()
    if op == "known":
        return ~x.is_null()
    if op == "in":
        return x.is_in(list(v))
    if op == "not in":
        return ~x.is_in(list(v))
    if op == "between":
        return (x >= v[0]) & (x <= v[1])
    ops = {">=": x >= v[0], "<=": x <= v[0], ">": x > v[0], "<": x < v[0], "==": x == v[0],
           "!=": x != v[0]}
    return ops[op]


def points_expression(rule: PointsRule, kind: str) -> nw.Expr:
    return (
        nw.when(condition(rule, kind)).then(nw.lit(rule.points)).otherwise(nw.lit(0.0))
        .alias(rule.name)
    )


def _sql_operand(column: str, kind: str) -> str:
    ident = sql_identifier(column)
    if kind == "numeric":
        # NaN is not NULL in SQL (and sorts above every number in DuckDB): make it NULL
        return f"NULLIF(CAST({ident} AS DOUBLE), CAST('NaN' AS DOUBLE))"
    return f"NULLIF(TRIM(CAST({ident} AS VARCHAR)), '')"


def _sql_value(value: Any) -> str:
    return sql_number(value) if isinstance(value, float) else sql_label(value)


def sql_condition(rule: PointsRule, kind: str) -> str:
    x = _sql_operand(rule.column, kind)
    v = [_sql_value(value) for value in rule.values]
    if rule.op == "unknown":
        return f"{x} IS NULL"
    if rule.op == "known":
        return f"{x} IS NOT NULL"
    if rule.op in {"in", "not in"}:
        return f"{x} {rule.op.upper()} ({', '.join(v)})"
    if rule.op == "between":
        return f"{x} BETWEEN {v[0]} AND {v[1]}"
    op = "=" if rule.op == "==" else "<>" if rule.op == "!=" else rule.op
    return f"{x} {op} {v[0]}"


def sql_points(value: float) -> str:
    number = _number(value)
    return str(number) if isinstance(number, int) else sql_number(number)
