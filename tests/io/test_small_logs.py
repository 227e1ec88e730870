"""Small and odd logs (one customer, two, one row, all refunds, features all undefined, a log
shorter than the churn horizon): a table of every customer with the stages that can be
learnt, one DataWarning per stage that cannot, in words, whose advice names options of the
surface that was called (Python parameters from Python, flags from the command line) and,
followed, works."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from custseg.cli import build_parser, main
from custseg.exceptions import DataWarning
from custseg.io import read_transactions
from custseg.pipeline import CustomerSegmentation
from custseg.segments import KMeansSegmenter, LifecycleStager

from ._catalogue import CASES, Kept, write_case
from .test_catalogue import LEAKS

CASE = {c.name: c for c in CASES}
LIFECYCLE = (r"the active and churn thresholds are learnt from the gaps between purchases, "
             r"but no customer in the log has two purchase occasions; give them with {days}")
KMEANS_ONE = r"K-means needs at least 2 customers \(rows\) to form segments; got 1 sample"
# What each stage that cannot be learnt says (the reason, in the words of both surfaces:
# {days}, {k} and {horizon} stand for the option the advice names).
EXPECTED: dict[str, dict[str, str]] = {
    "one customer": {
        "kmeans": KMEANS_ONE,
        "tier_rules": r"the tier column has only one class \('A' in its one row\); the tier rules "
                      r"need at least two tiers to learn from",
        "churn": r"the one customer at the churn cutoff 2024-04-20 is retained over the next "
                 r"90 days, and the churn model needs customers of both kinds to learn from",
    },
    "one row": {
        "lifecycle": LIFECYCLE,
        "kmeans": KMEANS_ONE,
        "tier_rules": r"the tier column has only one class \('A' in its one row\); the tier rules "
                      r"need at least two tiers to learn from",
        "churn": r"the log covers 0 days \(2024-01-01 to 2024-01-01\), fewer than the churn "
                 r"horizon of 90 days, so the churn model has no past to learn from; use a "
                 r"longer log or a shorter horizon",
    },
    "two customers": {
        "kmeans": r"choosing the number of segments needs at least 3 customers \(rows\) to "
                  r"score 2 segments; got 2\. Give the number of segments instead, {k}",
        "churn": r"all 2 customers at the churn cutoff 2024-04-20 are retained over the next "
                 r"90 days, and the churn model needs customers of both kinds to learn from",
    },
    "fourteen rows": {},
    "all refunds": {
        "rfm": r"column 'recency_days' has no finite value in any of its 3 rows \(a customer "
               r"without a purchase has none\), so the score edges cannot be learnt",
        "lifecycle": LIFECYCLE,
        "kmeans": r"no number of segments from 2 to 10 could be scored: every K-means fit found "
                  r"fewer distinct groups than segments asked for \(the customers' features "
                  r"have too few distinct values\)",
        "tier_rules": r"the tier column has only one class \('A' in all 3 rows\); the tier rules "
                      r"need at least two tiers to learn from",
        "churn": r"no customer has a purchase before the churn cutoff 2024-04-20 \(only "
                 r"refunds, or none\), so the churn model has no one to learn from",
        "future_value": r"no customer has a purchase \(only refunds, or none\), so the "
                        r"future-value models have no one to learn from",
    },
    "log shorter than the churn horizon": {
        "churn": r"the log covers 25 days \(2024-01-01 to 2024-01-26\), fewer than the churn "
                 r"horizon of 90 days, so the churn model has no past to learn from; use a "
                 r"longer log or a shorter horizon \({horizon}\)",
    },
    "features all undefined": {
        "lifecycle": LIFECYCLE,
        "churn": r"the log covers 4 days \(2024-01-01 to 2024-01-05\), fewer than the churn "
                 r"horizon of 90 days, so the churn model has no past to learn from; use a "
                 r"longer log or a shorter horizon \({horizon}\)",
    },
}
PY = {"days": re.escape("lifecycle=LifecycleStager(active_days=30, churn_days=90) (any number "
                        "of days)"),
      "k": re.escape("kmeans=KMeansSegmenter(n_clusters=2)"), "horizon": "churn_horizon_days={}"}
CLI = {"days": re.escape("--active-days 30 --churn-days 90 (any number of days)"),
       "k": re.escape("--n-clusters 2"), "horizon": "--churn-horizon-days {}"}
HORIZON = {"log shorter than the churn horizon": 12, "features all undefined": 2}
# The advice other than leaving the stage out, followed: Python parameters, the command
# line's flags, and the stage it makes learnable.
FOLLOW = {
    "one row": ({"lifecycle": LifecycleStager(active_days=30, churn_days=90)},
                ["--active-days", "30", "--churn-days", "90"], "lifecycle"),
    "all refunds": ({"lifecycle": LifecycleStager(active_days=30, churn_days=90)},
                    ["--active-days", "30", "--churn-days", "90"], "lifecycle"),
    "features all undefined": ({"lifecycle": LifecycleStager(active_days=30, churn_days=90)},
                               ["--active-days", "30", "--churn-days", "90"], "lifecycle"),
    "two customers": ({"kmeans": KMeansSegmenter(n_clusters=2)}, ["--n-clusters", "2"],
                      "kmeans"),
    "log shorter than the churn horizon": ({"churn_horizon_days": 12},
                                           ["--churn-horizon-days", "12"], "churn"),
}
NAMES = list(EXPECTED)


def _message(case: str, stage: str, words: dict[str, str], drop: str) -> re.Pattern[str]:
    horizon = words["horizon"].format(HORIZON.get(case, 0))
    reason = EXPECTED[case][stage].format(days=words["days"], k=words["k"], horizon=horizon)
    return re.compile(rf"the {stage} stage cannot be learnt from this log and is left out of "
                      rf"the results: (?:{reason})\. \({re.escape(drop)} leaves it out "
                      r"without this warning\.\)")


def _fit(path: Path, **params) -> tuple[CustomerSegmentation, list[str]]:
    log = read_transactions(path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model = CustomerSegmentation(random_state=0, **params).fit(log)
    assert all(issubclass(w.category, DataWarning) for w in seen), [str(w.message) for w in seen]
    return model, [str(w.message) for w in seen]


@pytest.mark.parametrize("name", NAMES)
def test_python_api(name, tmp_path):
    case = CASE[name]
    assert isinstance(case.expect, Kept)
    path = write_case(case, tmp_path)
    model, messages = _fit(path)
    assert set(model.skipped_stages_) == set(EXPECTED[name])
    assert len(messages) == len(EXPECTED[name]), messages
    for stage, message in zip(EXPECTED[name], messages, strict=True):
        assert _message(name, stage, PY, f'{stage}="drop"').fullmatch(message), message
        assert "--" not in message, message  # Python's words, not the command line's
        assert not LEAKS.search(message), message
    table = model.predict(read_transactions(path))
    assert len(table) == table["customer_id"].nunique() == case.expect.n
    # Following the advice: each stage left out says nothing; the other advice works.
    _, quiet = _fit(path, **{stage: "drop" for stage in EXPECTED[name]})
    assert quiet == []
    if name in FOLLOW:
        params, _, fixed = FOLLOW[name]
        followed, _ = _fit(path, **params)
        assert fixed not in followed.skipped_stages_
        assert fixed in {"lifecycle", "kmeans", "churn"}
        table = followed.predict(read_transactions(path))
        column = {"lifecycle": "lifecycle_stage", "kmeans": "kmeans_segment",
                  "churn": "churn_risk"}[fixed]
        assert column in table.columns and len(table) == case.expect.n


def _options(command: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return set(sub.choices[command]._option_string_actions)  # type: ignore[attr-defined]


def _run(args: list[str], capsys) -> tuple[int, list[str]]:
    code = main(args)
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line]


def _command(command: str, path: Path, tmp: Path) -> list[str]:
    out = {"segment": "out.csv", "report": "report.html", "fit": "model.skops"}[command]
    return [command, str(path), "-o", str(tmp / out)]


@pytest.mark.parametrize("command", ["segment", "report", "fit"])
@pytest.mark.parametrize("name", NAMES)
def test_command_line(name, command, tmp_path, capsys):
    case = CASE[name]
    assert isinstance(case.expect, Kept)
    path = write_case(case, tmp_path)
    code, lines = _run(_command(command, path, tmp_path), capsys)
    assert code == 0, lines
    assert len(lines) == len(EXPECTED[name]), lines
    options = _options(command)
    for stage, line in zip(EXPECTED[name], lines, strict=True):
        assert line.startswith("custseg: warning: "), line
        message = line.removeprefix("custseg: warning: ")
        assert _message(name, stage, CLI, f"--drop {stage}").fullmatch(message), message
        for flag in re.findall(r"--[a-z][a-z-]*", message):
            assert flag in options, (flag, command)  # every flag named is one it has
        assert not re.search(r"\w=|\(\w+_\w+\)", message), message  # no Python parameters
        assert not LEAKS.search(message), message
    if command == "segment":
        table = pd.read_csv(tmp_path / "out.csv", dtype={"customer_id": str})
        assert len(table) == table["customer_id"].nunique() == case.expect.n
    if command == "fit":  # the model predicts with the stages it has
        code, lines = _run(["predict", str(tmp_path / "model.skops"), str(path), "-o",
                            str(tmp_path / "scored.csv")], capsys)
        assert code == 0 and lines == [], lines
        table = pd.read_csv(tmp_path / "scored.csv", dtype={"customer_id": str})
        assert len(table) == case.expect.n
    if command == "report":  # a report of what could be learnt (the advice: as segment's)
        assert "<html" in (tmp_path / "report.html").read_text(encoding="utf-8").lower()
        return

    # Following the advice: --drop of every stage named leaves them out silently ...
    drops = [arg for stage in EXPECTED[name] for arg in ("--drop", stage)]
    code, lines = _run(_command(command, path, tmp_path) + drops, capsys)
    assert code == 0 and lines == [], lines
    # ... and the other advice the warning gives makes its stage learnable.
    if name in FOLLOW:
        _, flags, fixed = FOLLOW[name]
        code, lines = _run(_command(command, path, tmp_path) + flags, capsys)
        assert code == 0, lines
        assert not [line for line in lines if f"the {fixed} stage" in line], lines
        assert len(lines) == len(EXPECTED[name]) - 1, lines
