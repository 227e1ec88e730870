"""The decision matrix: one action per customer from value x risk x stage; campaign export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custseg.actions import LOYAL_ACTIONS, DecisionMatrix, campaign_list, write_campaign
from custseg.exceptions import InvalidValueError, MissingColumnError


def table() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "tier": ["A", "A", "B", "D", "C", "A", "D", None],
        "churn_risk": ["high", "low", "medium", "low", "high", "low", None, None],
        "lifecycle_stage": ["dormant", "active", "active", "churned", "active", "churned",
                            "active", "prospect"],
        "value_at_stake": [50.0, 1.0, 20.0, 0.5, 3.0, 9.0, np.nan, np.nan],
    })


def test_hand_worked_actions_and_reasons():
    out = DecisionMatrix().decide(table())
    assert out["action"].tolist() == [
        "Personal retention contact",  # a: tier A, high risk, dormant
        "VIP care",                    # b: tier A, low risk, active
        "Retention offer",             # c: tier B, medium risk
        "No spend",                    # d: churned, low value
        "Low-cost reactivation",       # e: tier C, high risk
        "Win-back offer",              # f: churned, high value
        "Standard communication",      # g: risk unknown (no churn probability)
        "First-purchase offer",        # h: prospect
    ]
    assert out.loc[0, "reason"] == "tier A, churn risk high, dormant"
    assert out.loc[6, "reason"] == "tier D, churn risk unknown, active"
    assert out["action"].notna().all() and len(out) == 8
    # Never a loyal-customer action at high risk.
    assert not out.loc[out["churn_risk"] == "high", "action"].isin(LOYAL_ACTIONS).any()


def test_caller_table_is_not_changed():
    t = table()
    before = t.copy()
    DecisionMatrix().decide(t)
    pd.testing.assert_frame_equal(t, before)


def test_value_from_expected_value():
    t = table().drop(columns="tier").assign(expected_value=[90.0, 80, 1, 2, 3, 4, 5, 6])
    out = DecisionMatrix(value_column="expected_value", value_quantile=0.75).decide(t)
    # cut = 75% quantile of the 8 values = 22.5: a and b are high value
    assert out.loc[1, "action"] == "VIP care" and out.loc[2, "action"] == "Reactivation e-mail"
    assert out.loc[1, "reason"] == "high value, churn risk low, active"


def test_edited_matrix_and_gap_check():
    rules = [("*", "*", "*", "Newsletter", 5)]
    out = DecisionMatrix(rules=rules).decide(table())
    assert set(out["action"]) == {"Newsletter"}
    with pytest.raises(InvalidValueError, match=r"leaves 32 combination\(s\).*prospect/high/low"):
        DecisionMatrix(rules=[("active", "*", "*", "VIP care", 1)]).decide(table())
    with pytest.raises(InvalidValueError, match="has risk 'huge'"):
        DecisionMatrix(rules=[("*", "*", "huge", "x", 1)]).get_rules()


def test_default_matrix_as_a_table_covers_every_combination():
    frame = DecisionMatrix().to_frame()
    assert list(frame.columns) == ["stage", "value", "risk", "action", "priority"]
    assert len(frame) == 13


def test_missing_columns():
    with pytest.raises(MissingColumnError, match="lifecycle_stage"):
        DecisionMatrix().decide(table().drop(columns="lifecycle_stage"))
    with pytest.raises(MissingColumnError, match="'tier' or 'expected_value'"):
        DecisionMatrix().decide(table().drop(columns="tier"))


def test_campaign_list_orders_by_action_then_value_at_stake(tmp_path):
    out = DecisionMatrix().decide(table())
    lst = campaign_list(out)
    assert sorted(lst["customer_id"]) == sorted(out["customer_id"])  # everyone, once
    first = lst[lst["action_priority"] == 1]
    # priority 1: personal retention (a), retention offer (c), VIP care (b), by action name
    assert first["customer_id"].tolist() == ["a", "c", "b"]
    winback = campaign_list(out, action="Win-back offer")
    assert winback["customer_id"].tolist() == ["f"]
    path = write_campaign(out, tmp_path / "campaign.csv")
    back = pd.read_csv(path)
    assert back["customer_id"].tolist() == lst["customer_id"].tolist()
    assert "reason" in back.columns
    with pytest.raises(MissingColumnError, match="action"):
        campaign_list(table())
