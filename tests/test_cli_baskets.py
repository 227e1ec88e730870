"""``custseg rules`` and ``custseg recommend`` on a hand-worked log, in process."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.cli import main

# Orders: o1 {tea, milk} and o2 {tea, milk} of a, o3 {jam} of c, o4 {tea} of d,
# o5 {jam, milk} of e. Shares of the 5 baskets: tea 3/5, milk 3/5, jam 2/5.
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "a", "a", "c", "d", "e", "e"],
    "order_id": ["o1", "o1", "o2", "o2", "o3", "o4", "o5", "o5"],
    "date": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01", "2024-01-05",
             "2024-01-07", "2024-03-01", "2024-03-01"],
    "amount": [1.0] * 8,
    "product": ["tea", "milk", "tea", "milk", "jam", "tea", "jam", "milk"],
    "segment": ["x", "x", "x", "x", "y", "x", "y", "y"],
})
COLS = ["--product-col", "product", "--order-col", "order_id"]


@pytest.fixture
def log_csv(tmp_path):
    path = tmp_path / "log.csv"
    LOG.to_csv(path, index=False)
    return path


def test_rules_writes_every_rule_with_its_words(log_csv, tmp_path):
    out = tmp_path / "rules.csv"
    plot = tmp_path / "rules.png"
    assert main(["rules", str(log_csv), *COLS, "--min-support", "0.4", "--min-confidence",
                 "0.6", "-o", str(out), "--plot", str(plot)]) == 0
    rules = pd.read_csv(out)
    # {tea, milk} is in 2 of 5 baskets: tea -> milk and milk -> tea, confidence 2/3, lift
    # (2/3) / (3/5) = 10/9.
    assert sorted(zip(rules["antecedents"], rules["consequents"], strict=True)) == [
        ("milk", "tea"), ("tea", "milk")]
    assert rules["confidence"].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert rules["lift"].tolist() == pytest.approx([10 / 9, 10 / 9])
    assert "customers who buy tea also buy milk: 1.1x as often as average" in set(rules["rule"])
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_rules_per_segment_to_stdout(log_csv, capsys):
    assert main(["rules", str(log_csv), *COLS, "--by", "segment", "--min-support", "0.5",
                 "--min-confidence", "0.5", "--min-lift", "0"]) == 0
    rules = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    # Segment x: o1, o2, o4 (tea 3/3, milk 2/3); segment y: o3, o5 (jam 2/2, milk 1/2).
    got = {(s, a, c) for s, a, c in zip(rules["segment"], rules["antecedents"],
                                        rules["consequents"], strict=True)}
    assert got == {("x", "milk", "tea"), ("x", "tea", "milk"), ("y", "milk", "jam"),
                   ("y", "jam", "milk")}


def test_recommend_writes_ranked_products_with_reasons(log_csv, tmp_path):
    out = tmp_path / "next.csv"
    assert main(["recommend", str(log_csv), *COLS, "-n", "2", "--min-support", "0.4",
                 "--rule-weight", "1", "-o", str(out)]) == 0
    recs = pd.read_csv(out)
    assert recs["customer_id"].tolist() == ["a", "c", "c", "d", "d", "e"]
    d = recs[recs["customer_id"] == "d"]
    assert d["product"].tolist() == ["milk", "jam"]
    assert d["score"].tolist() == pytest.approx([2 / 3, 2 / 5])
    assert d["reason"].iloc[0].startswith("bought tea: 67% of such baskets hold milk")


def test_recommend_include_purchased_and_evaluate(log_csv, tmp_path, capsys):
    assert main(["recommend", str(log_csv), *COLS, "-n", "1", "--include-purchased"]) == 0
    recs = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert recs.set_index("customer_id")["product"]["a"] in {"tea", "milk"}
    assert main(["recommend", str(log_csv), *COLS, "--evaluate", "2024-01-31"]) == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert table["strategy"].tolist() == ["rules", "segment_popular", "global_popular"]
    assert set(table.columns) >= {"hit_rate", "precision", "recall", "coverage"}


@pytest.mark.parametrize(("args", "needle"), [
    (["rules"], "--product-col is required"),
    (["recommend"], "--product-col is required"),
    (["rules", "--product-col", "sku"], "'sku'"),
    (["rules", "--product-col", "product", "--min-support", "2"], "min_support"),
    (["recommend", "--product-col", "product", "-n", "0"], "-n 0 must be at least 1"),
])
def test_bad_input_is_one_line(log_csv, capsys, args, needle):
    assert main([args[0], str(log_csv), *args[1:]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


@pytest.mark.parametrize("command", ["rules", "recommend"])
def test_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert f"custseg {command} " in capsys.readouterr().out
