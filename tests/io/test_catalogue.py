"""Every case of the malformed-input catalogue (tests/io/_catalogue.py) through the Python
API and through the command line: the exact custseg error class and a message naming the
problem, or the documented handling with every customer kept."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from custseg.cli import main
from custseg.exceptions import (
    CustsegError,
    CustsegWarning,
    DataWarning,
    EmptyDataError,
    FileFormatError,
    MissingFileError,
)
from custseg.io import read_transactions
from custseg.pipeline import CustomerSegmentation

from ._catalogue import CASES, Case, Kept, write_case

READ = {"--sep": "sep", "--decimal": "decimal", "--encoding": "encoding"}
MODEL = {"--customer-col": "customer_col", "--time-col": "time_col",
         "--amount-col": "amount_col", "--time-format": "time_format"}
FILE_ERRORS = (FileFormatError, EmptyDataError, MissingFileError)
# What no message may show: Python reprs (of dates, durations, lists, NumPy values),
# custseg's internal names and another library's traceback.
LEAKS = re.compile(r"datetime\.(datetime|date|timedelta)\(|Timestamp\(|Timedelta\(|\b0:00:00\b|"
                   r"\d+ days?, \d+:\d\d|\['|\[\d|np\.(float|int)|dtype\(|\b_custseg|"
                   r"\b__(cid|t|amt|order|qty|product|traw|aware|val|purch)\b|Traceback")
# The command line names the parameters of the Python API by its flags.
CLI_WORDS = {r"\(customer_col\)": r"\(--customer-col\)", r"\(time_col\)": r"\(--time-col\)",
             r"\(amount_col\)": r"\(--amount-col\)"}


def cli_pattern(pattern: str) -> str:
    for python, flag in CLI_WORDS.items():
        pattern = pattern.replace(python, flag)
    return pattern


def test_leaks_catch_reprs():
    for shown in ["['a', 'b']", "datetime.datetime(2024, 8, 4, 0, 0)", "Timedelta('17 days')",
                  "17 days, 0:00:00", "np.float64(1.5)", "_custseg_row", "__amt"]:
        assert LEAKS.search(f"column 'x' has {shown}"), shown
    assert not LEAKS.search("columns 'customer_id', 'date' and 'amount'; 17 days; 2024-04-20")


def run_api(path: Path, opts: dict[str, str]) -> pd.DataFrame:
    read_kw = {READ[k]: v for k, v in opts.items() if k in READ}
    model_kw = {MODEL[k]: v for k, v in opts.items() if k in MODEL}
    log = read_transactions(path, customer_col=model_kw.get("customer_col", "customer_id"),
                            **read_kw)
    as_of = opts.get("--as-of")
    model = CustomerSegmentation(observation_date=as_of, random_state=0, **model_kw)
    return model.fit(log).predict(log, as_of=as_of)


def by_name(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.name) for c in cases]


def test_the_catalogue_is_large_and_names_are_unique():
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    assert sum(not isinstance(c.expect, Kept) for c in CASES) >= 60


def _leak_free(case: Case, message: str) -> None:
    if "__amt" not in case.name:
        assert not LEAKS.search(message), message


@pytest.mark.parametrize("case", by_name([c for c in CASES if not c.cli_only]))
def test_python_api(case: Case, tmp_path):
    path = write_case(case, tmp_path)
    if isinstance(case.expect, Kept):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            table = run_api(path, case.opts)
        ids = table[case.opts.get("--customer-col", "customer_id")]
        assert len(table) == ids.nunique() == case.expect.n
        assert not [w for w in seen if not issubclass(w.category, CustsegWarning)], [
            str(w.message) for w in seen]
        if case.expect.warns is not None:
            assert any(issubclass(w.category, DataWarning) for w in seen) == case.expect.warns
        for w in seen:
            _leak_free(case, str(w.message))
        return
    cls, pattern = case.expect
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with pytest.raises(CustsegError) as info:
            run_api(path, case.opts)
    assert type(info.value) is cls, (type(info.value), info.value)
    assert re.search(pattern, str(info.value)), str(info.value)
    if cls in FILE_ERRORS and case.name != "as-of before the first transaction":
        assert path.name in str(info.value), str(info.value)  # the message names the file
    _leak_free(case, str(info.value))


@pytest.mark.parametrize("case", by_name(CASES))
def test_command_line(case: Case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = write_case(case, tmp_path)
    args = ["segment", str(path), "-o", case.opts.get("-o", "out.csv")]
    for key, value in case.opts.items():
        if key != "-o":
            args += [key, value]
    code = main(args)
    err = capsys.readouterr().err
    _leak_free(case, err)
    if isinstance(case.expect, Kept):
        assert code == 0, err
        col = case.opts.get("--customer-col", "customer_id")
        table = pd.read_csv(tmp_path / "out.csv", dtype={col: str}, keep_default_na=False)
        assert len(table) == table[col].nunique() == case.expect.n
        if case.expect.warns is not None:
            assert ("custseg: warning:" in err) == case.expect.warns, err
        return
    assert code == 2, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("custseg segment: error: "), err
    assert re.search(cli_pattern(case.expect[1]), lines[-1]), lines[-1]
    assert not re.search(r"\((customer|time|amount)_col\)", lines[-1]), lines[-1]
    assert not (tmp_path / "out.csv").exists()
