"""Tests of the custseg command line, run as a subprocess like a user would."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from custseg.cli import _Progress, build_parser, main
from custseg.datasets import load_cdnow

BIN = Path(sys.executable).parent / "custseg"
COMMAND = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "custseg.cli"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True,
                          env=ENV, cwd=cwd, timeout=300)


N_CUSTOMERS = 1000


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory) -> Path:
    # The first 1,000 customers of the CDNOW sample (subprocess tests should stay quick).
    log = load_cdnow(sample=True).drop(columns=["master_id"])
    log = log[log["customer_id"] <= f"{N_CUSTOMERS:04d}"]
    path = tmp_path_factory.mktemp("cli") / "log.csv"
    log.assign(date=log["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


def _without_guard(stderr: str) -> str:
    """stderr without the churn-model guard's warning (true of the 1,000-customer log)."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if "the churn model is not better than recency alone" not in line)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# --- help ------------------------------------------------------------------------------

def test_help_lists_commands_and_examples():
    result = run("--help")
    assert result.returncode == 0
    for word in ("segment", "report", "fit", "predict", "demo", "examples:",
                 "custseg segment orders.csv"):
        assert word in result.stdout


@pytest.mark.parametrize("command", ["segment", "report", "fit", "predict", "demo"])
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"custseg {command}" in out


# --- commands --------------------------------------------------------------------------

def test_segment_writes_one_row_per_customer(log_csv, tmp_path):
    out = tmp_path / "customers.parquet"
    result = run("segment", log_csv, "-o", out, "--as-of", "1998-06-30")
    assert result.returncode == 0, result.stderr
    # No progress (stderr is not a terminal); only the guard's word on this small log.
    assert _without_guard(result.stderr) == ""
    table = pd.read_parquet(out)
    assert len(table) == N_CUSTOMERS and table["customer_id"].is_unique
    assert table["customer_id"].iloc[0] == "0001"  # ids stay text
    for col in ("recency_days", "frequency", "monetary_total", "rfm_segment", "lifecycle_stage",
                "kmeans_segment", "tier", "churn_probability", "churn_risk", "action"):
        assert col in table.columns
    assert str(table["last_purchase"].max().date()) <= "1998-06-30"


def test_segment_column_flags_and_stdout(tmp_path):
    log = load_cdnow(sample=True).drop(columns=["master_id"])
    log = log[(log["date"] <= "1997-06-30") & (log["customer_id"] <= "1000")]
    log = log.rename(columns={"customer_id": "client", "date": "day", "amount": "total"})
    src = tmp_path / "renamed.csv"
    log.assign(day=log["day"].dt.strftime("%d/%m/%Y")).to_csv(src, sep=";", index=False)
    result = run("segment", src, "--sep", ";", "--customer-col", "client", "--time-col", "day",
                 "--amount-col", "total", "--time-format", "%d/%m/%Y",
                 "--churn-horizon-days", "60", "--n-clusters", "3")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), dtype={"client": str})
    assert table.columns[0] == "client" and len(table) == log["client"].nunique()
    assert table["kmeans_segment"].nunique() == 3
    assert table["last_purchase"].max().startswith("1997-06-30")


def test_fit_then_predict_equals_segment(log_csv, tmp_path):
    model = tmp_path / "model.joblib"
    fit = run("fit", log_csv, "-o", model, "--observation-date", "1997-09-30")
    assert fit.returncode == 0, fit.stderr
    assert "model written to" in fit.stdout and "as of 1997-09-30" in fit.stdout
    out = tmp_path / "pred.csv"
    pred = run("predict", model, log_csv, "-o", out, "--as-of", "1997-09-30",
               "--trust-pickle")
    assert pred.returncode == 0, pred.stderr
    # The same table as the pipeline run in this process with the CLI's defaults.
    from custseg.io import read_transactions
    from custseg.pipeline import CustomerSegmentation

    log = read_transactions(log_csv)
    expected = CustomerSegmentation(observation_date="1997-09-30", random_state=0).fit(log)
    buffer = io.StringIO()
    expected.predict(log, as_of="1997-09-30").to_csv(buffer, index=False)
    buffer.seek(0)
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(buffer))


# --- model files: the safe loading of custseg predict is tested in
# tests/test_persistence_security.py (pickles never run without --trust-pickle, a skops
# model from custseg fit predicts with no flags, no code-running type is offered).


def test_trust_needs_a_qualified_name(log_csv, tmp_path, capsys):
    path = tmp_path / "model.skops"
    assert main(["fit", str(log_csv), "-o", str(path)]) == 0
    for value in ["Tree", "sklearn.tree.", "os.system()", "a..b"]:
        assert main(["predict", str(path), str(log_csv), "--trust", value]) == 2
        err = _without_guard(capsys.readouterr().err)
        assert err.count("\n") == 1
        assert f"--trust {value!r} is not a qualified type name" in err


def test_help_explains_the_model_formats_and_the_opt_in(capsys):
    for command in ("fit", "predict"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "custseg fit orders.csv -o model.skops" in out
    assert "custseg fit orders.csv -o model.joblib" in out
    assert "--trust TYPE" in out and "--trust-pickle" in out
    assert "loading a pickle runs code" in out


def test_report_writes_self_contained_html(log_csv, tmp_path):
    out = tmp_path / "report.html"
    table = tmp_path / "table.csv"
    result = run("report", log_csv, "-o", out, "--title", "Sample <customers>",
                 "--table", table)
    assert result.returncode == 0, result.stderr
    assert f"report written to {out}" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert "<title>Sample &lt;customers&gt;</title>" in page
    assert "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page
    assert len(pd.read_csv(table)) == N_CUSTOMERS


def _run_with_terminal_stderr(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run custseg with stderr on a pseudo-terminal (as in an interactive shell)."""
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.run([*COMMAND, *args], stdout=subprocess.PIPE, stderr=slave,
                              env=ENV, cwd=cwd, timeout=300, text=True)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the terminal is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.returncode, proc.stdout, b"".join(chunks).decode()


def test_demo_on_the_sample_with_progress_on_the_terminal(tmp_path):
    code, stdout, terminal = _run_with_terminal_stderr("demo", "--output", "out", "--sample",
                                                       cwd=tmp_path)
    assert code == 0, terminal
    # Progress lines go to stderr because it is a terminal, never to stdout.
    assert "custseg [" in terminal and "fitting on 6,919 transactions" in terminal
    assert "custseg [" not in stdout
    folder = (tmp_path / "out").resolve()
    assert f"output folder: {folder}" in stdout
    assert len(pd.read_csv(folder / "customers.csv")) == 2357
    assert (folder / "report.html").stat().st_size > 10_000
    pngs = sorted(p.name for p in (folder / "plots").glob("*.png"))
    assert {"rfm_segments.png", "tiers.png", "lifecycle.png", "churn_risk.png"} <= set(pngs)
    assert all((folder / "plots" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)
    assert "CASE" in (folder / "tier_rules.sql").read_text()
    assert "THEN A" in (folder / "tier_rules.txt").read_text()


# --- bad input: exit code 2 and one line naming the problem ---------------------------

def test_missing_file(tmp_path):
    assert_one_line_error(run("segment", tmp_path / "nope.csv"), "not found", "nope.csv")


def test_wrong_column_name(log_csv):
    line = assert_one_line_error(run("segment", log_csv, "--amount-col", "amt"),
                                 "column 'amt'", "Did you mean 'amount'?")
    assert "Available columns" in line


def test_unparseable_as_of(log_csv):
    assert_one_line_error(run("segment", log_csv, "--as-of", "30/06/1998x"),
                          "--as-of '30/06/1998x' is not a date; expected a date such as 1997-09-30")


def test_unparseable_dates_in_the_file(tmp_path):
    path = tmp_path / "bad_dates.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,5\nb,yesterday,3\nc,2024-13-45,1\n")
    assert_one_line_error(run("segment", path), "column 'date'", "2 of 3 rows",
                          "do not parse as timestamps")


@pytest.mark.parametrize(("content", "needle"), [
    ("", "is empty (0 bytes)"),
    ("customer_id,date,amount\n", "has a header (customer_id, date, amount) but 0 rows"),
])
def test_empty_file(tmp_path, content, needle):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    assert_one_line_error(run("segment", path), needle)


def test_other_errors_in_process(log_csv, tmp_path, capsys):
    def error(argv):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        return err

    assert "unknown output format '.xlsx'" in error(
        ["segment", str(log_csv), "-o", str(tmp_path / "out.xlsx")])
    assert "not a custseg model file" in error(["predict", str(log_csv), str(log_csv)])
    assert "folder" in error(["fit", str(log_csv), "-o", str(tmp_path / "no" / "m.joblib")])
    assert "--n-clusters 'many'" in error(["segment", str(log_csv), "--n-clusters", "many"])
    assert error(["segment", str(tmp_path / "nope.csv")]).startswith(
        "custseg segment: error: transaction file not found")
    assert "--threads 0" in error(["--threads", "0", "demo"])
    with pytest.raises(SystemExit) as exc:
        main(["segment"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the following arguments are required: INPUT" in err


def test_exit_codes_internal_error_and_interrupt(log_csv, capsys, monkeypatch):
    import custseg.cli as cli

    def bug(*args):
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli._COMMANDS, "segment", bug)
    assert main(["segment", str(log_csv)]) == 1
    err = capsys.readouterr().err
    assert err == ("custseg segment: internal error: RuntimeError: a bug (this is a bug in "
                   "custseg: please report it with the output of --debug)\n")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._COMMANDS, "segment", interrupted)
    assert main(["segment", str(log_csv)]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_warnings_are_one_line_and_do_not_fail(log_csv, tmp_path, capsys, monkeypatch):
    import custseg._model_metadata as model_metadata
    import custseg.persistence as persistence
    from custseg.io import read_transactions
    from custseg.pipeline import CustomerSegmentation

    model = CustomerSegmentation(random_state=0, kmeans="drop", churn="drop")
    model.fit(read_transactions(log_csv))
    real = model_metadata._installed_versions()
    monkeypatch.setattr(model_metadata, "_installed_versions",
                        lambda: {**real, "scikit-learn": "0.0.1"})
    path = persistence.save(model, tmp_path / "old.skops")
    monkeypatch.undo()
    out = tmp_path / "out.csv"
    assert main(["predict", str(path), str(log_csv), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("custseg: warning: old.skops was saved with other library versions")
    assert err.count("\n") == 1
    assert len(pd.read_csv(out)) == N_CUSTOMERS


def test_debug_raises_with_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError, match="transaction file not found"):
        main(["--debug", "segment", str(tmp_path / "nope.csv")])
    with pytest.raises(FileNotFoundError):
        main(["segment", str(tmp_path / "nope.csv"), "--debug"])


# --- progress --------------------------------------------------------------------------

class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal():
    tty, pipe = _Terminal(), io.StringIO()
    _Progress(tty)("fitting")
    _Progress(pipe)("fitting")
    assert "fitting" in tty.getvalue() and tty.getvalue().startswith("custseg [")
    assert pipe.getvalue() == ""


def test_parser_defaults():
    args = build_parser().parse_args(["demo"])
    assert args.output == "demo-output" and args.threads is None and not args.sample


def test_campaign_writes_every_customer_by_action(log_csv, tmp_path):
    out = tmp_path / "campaign.csv"
    assert main(["campaign", str(log_csv), "-o", str(out), "--as-of", "1998-06-30"]) == 0
    lst = pd.read_csv(out, dtype={"customer_id": str})
    assert len(lst) == N_CUSTOMERS and lst["customer_id"].is_unique
    assert {"action", "action_priority", "reason", "value_at_stake"} <= set(lst.columns)
    assert lst["action_priority"].is_monotonic_increasing
    vip = tmp_path / "vip.csv"
    assert main(["campaign", str(log_csv), "-o", str(vip), "--action", "VIP care"]) == 0
    assert set(pd.read_csv(vip)["action"]) <= {"VIP care"}
