"""Model files as an attacker would write them: nothing runs, nothing inflates, no bad advice."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from custseg.cli import main
from custseg.datasets import load_cdnow
from custseg.exceptions import ModelFileError, UntrustedTypeError
from custseg.persistence import load, load_safe, read_metadata, save

PIPELINE = "custseg.pipeline.CustomerSegmentation"


def _installed_versions() -> dict[str, str]:
    import tempfile

    return read_metadata(save([1], Path(tempfile.mkdtemp()) / "v.skops"))["versions"]


VERSIONS = _installed_versions()


class Boom:
    """A pickle that runs code when loaded: it creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _meta(serializer: str) -> str:
    return json.dumps({"format_version": 2, "serializer": serializer, "class": PIPELINE,
                       "versions": VERSIONS, "feature_names": None})


def _evil_files(folder: Path, marker: Path) -> dict[str, Path]:
    """Pickles that claim, in every way a file can, to be a safe custseg model."""
    boom = Boom(marker)
    out = {}
    for suffix in (".joblib", ".skops"):
        plain = folder / f"plain{suffix}"
        joblib.dump(boom, plain)
        wrapped = folder / f"wrapped{suffix}"  # custseg's own layout and metadata
        joblib.dump({"custseg_metadata": _meta("skops"), "model": boom}, wrapped)
        out[plain.name], out[wrapped.name] = plain, wrapped
        for claim in ("joblib", "skops"):  # custseg 0.1's archive, metadata written by hand
            legacy = folder / f"legacy-{claim}{suffix}"
            with zipfile.ZipFile(legacy, "w") as zf:
                zf.writestr("custseg-metadata.json", _meta(claim))
                zf.writestr(f"model.{claim}", joblib_bytes(boom))
            out[legacy.name] = legacy
    return out


def joblib_bytes(obj) -> bytes:
    import io

    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory) -> Path:
    log = load_cdnow(sample=True).drop(columns=["master_id"])
    log = log[log["customer_id"] <= "0400"]
    path = tmp_path_factory.mktemp("log") / "log.csv"
    log.assign(date=log["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


def test_a_pickle_never_runs_without_the_opt_in(tmp_path, log_csv, capsys):
    marker = tmp_path / "code-ran"
    files = _evil_files(tmp_path, marker)
    assert len(files) == 8
    for name, path in files.items():
        for attempt in (lambda p: load(p), lambda p: load(p, trusted=["builtins.object"]),
                        load_safe, read_metadata):
            try:
                attempt(path)
            except (ModelFileError, UntrustedTypeError):
                pass
            assert not marker.exists(), name
        for flags in ([], ["--trust", "pathlib.Path"]):
            assert main(["predict", str(path), str(log_csv), *flags]) == 2, name
            err = capsys.readouterr().err
            assert err.count("\n") == 1, err
            assert not marker.exists(), name
    # The opt-in does what it says (so the files above are live pickles).
    load(files["wrapped.skops"], trusted=True)
    assert marker.exists()
    marker.unlink()
    assert main(["predict", str(files["wrapped.joblib"]), str(log_csv), "--trust-pickle"]) == 2
    assert marker.exists()


def test_the_refusal_names_the_opt_in(tmp_path, log_csv, capsys):
    path = tmp_path / "model.joblib"
    joblib.dump({"custseg_metadata": _meta("joblib"), "model": 1}, path)
    with pytest.raises(ModelFileError, match=r"load\(path, trusted=True\)"):
        load(path)
    assert main(["predict", str(path), str(log_csv)]) == 2
    err = capsys.readouterr().err
    assert "loading a pickle runs code: refused" in err and "--trust-pickle" in err


@pytest.mark.parametrize("payload", [exec, eval, {"f": print, "g": __import__}])
def test_code_running_callables_are_never_offered_as_the_fix(tmp_path, log_csv, capsys,
                                                            payload):
    path = save(payload, tmp_path / "model.skops")
    with pytest.raises(UntrustedTypeError, match="builtins") as err:
        load(path)
    assert "trusted=[" not in str(err.value) and "Never trust builtins." in str(err.value)
    data = zipfile.ZipFile(path).read("schema.json")
    meta = json.loads(json.loads(json.loads(data)["content"]["custseg_metadata"]["content"]))
    assert meta["class"].startswith("builtins.")
    # Claiming to be a pipeline does not help either; the command line offers no --trust.
    text = json.loads(data)
    meta["class"] = PIPELINE
    text["content"]["custseg_metadata"]["content"] = json.dumps(json.dumps(meta))
    forged = tmp_path / "forged.skops"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(forged, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, json.dumps(text) if name == "schema.json" else src.read(name))
    assert main(["predict", str(forged), str(log_csv)]) == 2
    err = capsys.readouterr().err
    assert "does not trust: builtins." in err and "--trust" not in err


def test_a_data_class_is_offered_for_trust(tmp_path):
    from fractions import Fraction

    path = save({"share": Fraction(1, 3)}, tmp_path / "f.skops")
    with pytest.raises(UntrustedTypeError, match=r"pass trusted=\['fractions.Fraction'\]"):
        load(path)
    assert load(path, trusted=["fractions.Fraction"]) == {"share": Fraction(1, 3)}


def _bomb(path: Path, size: int = 1 << 30) -> Path:
    """A skops-looking zip of about 1 MB whose data member inflates to ``size`` bytes."""
    chunk = bytes(1 << 24)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)  # same bytes every time
    n = size // len(chunk)
    data = block * n + comp.flush()
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    meta = {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
            "content": json.dumps(_meta("skops")), "is_json": True}
    schema = json.dumps({"__class__": "dict", "__module__": "builtins", "protocol": 2,
                         "__loader__": "DictNode", "content": {"custseg_metadata": meta}})
    schema = schema.encode()
    members = [(b"schema.json", 0, zlib.crc32(schema), schema, len(schema)),
               (b"big.npy", 8, crc, data, size)]
    out, central = b"", b""
    for name, method, crc_, body, usize in members:
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc_,
                           len(body), usize, len(name), 0)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc_,
                               len(body), usize, len(name), 0, 0, 0, 0, 0, len(out)) + name
        out += head + name + body
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(out), 0)
    path.write_bytes(out + central + end)
    return path


def test_an_inflating_archive_is_refused_with_little_memory(tmp_path):
    path = _bomb(tmp_path / "bomb.skops")
    assert path.stat().st_size < 2 << 20
    assert zipfile.ZipFile(path).getinfo("big.npy").file_size == 1 << 30
    # In a fresh process: the growth of peak memory while loading (the high-water mark
    # is reset first), for load, load_safe and read_metadata (which reads the schema only).
    script = textwrap.dedent(f"""
        import re
        from custseg.exceptions import ModelFileError
        from custseg.persistence import load, load_safe, read_metadata

        def rss(field):
            status = open("/proc/self/status").read()
            return int(re.search(field + r":\\s+(\\d+) kB", status).group(1)) * 1024

        for fn in (load, load_safe, read_metadata):
            open("/proc/self/clear_refs", "w").write("5")
            before = rss("VmRSS")
            try:
                meta = fn({str(path)!r})
            except ModelFileError as err:
                assert "inflate to more than 536,870,912 bytes" in str(err), err
            else:
                assert fn is read_metadata and meta["class"].endswith("Segmentation"), meta
            print(fn.__name__, rss("VmHWM") - before)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    growth = dict(line.split() for line in result.stdout.splitlines())
    assert set(growth) == {"load", "load_safe", "read_metadata"}
    assert all(int(v) < 200 * 2**20 for v in growth.values()), growth
    assert all(int(v) < 20 * 2**20 for v in growth.values()), growth  # about the file size


def test_the_command_line_refuses_an_inflating_archive_with_little_memory(tmp_path):
    # The whole `custseg predict` process, interpreter and imports included: the model
    # file is checked before pandas, polars and scikit-learn are loaded. A wrapper
    # process runs it as its only child, so RUSAGE_CHILDREN is that child's peak RSS.
    path = _bomb(tmp_path / "bomb.skops")
    log = tmp_path / "log.csv"
    log.write_text("customer_id,date,amount\na,2024-01-01,10\n")
    script = textwrap.dedent(f"""
        import resource, subprocess, sys
        run = subprocess.run([sys.executable, "-m", "custseg.cli", "predict", {str(path)!r},
                              {str(log)!r}, "-o", {str(tmp_path / "out.csv")!r}],
                             capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(run.returncode, peak)
        sys.stderr.write(run.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    code, peak = map(int, result.stdout.split())
    assert code == 2, result.stderr
    assert "inflate to more than 536,870,912 bytes" in result.stderr, result.stderr
    assert "--max-model-bytes" in result.stderr and "max_bytes=" not in result.stderr
    assert not (tmp_path / "out.csv").exists()
    assert peak < 200 * 2**20, peak
    assert peak < 100 * 2**20, peak  # no pandas (about 100 MB) nor scikit-learn loaded


def test_read_metadata_does_not_read_the_payload(tmp_path):
    big = {"weights": np.random.default_rng(0).random(4_000_000)}  # 32 MB
    for suffix in (".joblib", ".skops"):
        path = save(big, tmp_path / f"big{suffix}", compress=0)
        tracemalloc.start()
        meta = read_metadata(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert meta["class"] == "builtins.dict"
        assert peak < 4 * 2**20, (suffix, peak)


def _tampered(model, tmp_path: Path, name: str, edit) -> Path:
    """Save ``model`` as skops after ``edit`` changed one of its node arrays."""
    import copy

    bad = copy.deepcopy(model)
    edit(bad)
    return save(bad, tmp_path / f"{name}.skops")


def _edit_tree(field: str, value):
    def edit(est):
        tree = est.tree_
        state = tree.__getstate__()
        nodes = state["nodes"].copy()
        nodes[field][0] = value
        state["nodes"] = nodes
        tree.__setstate__(state)
    return edit


def _edit_predictor(field: str, value):
    def edit(est):
        nodes = est._predictors[0][0].nodes
        nodes[field][0] = value
    return edit


def test_tampered_trees_are_refused_before_they_predict(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.default_rng(0).random((200, 3))
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    hgb = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, y)
    for model in (tree, hgb):  # untouched: they load, with no extra trust
        np.testing.assert_array_equal(load(save(model, tmp_path / "ok.skops")).predict(X),
                                      model.predict(X))
    cases = {
        "child out of the tree": (tree, _edit_tree("left_child", 10**9)),
        "child before its parent": (tree, _edit_tree("right_child", 0)),
        "feature out of range": (tree, _edit_tree("feature", 7)),
        "predictor child out of range": (hgb, _edit_predictor("left", 10**6)),
        "predictor feature out of range": (hgb, _edit_predictor("feature_idx", -5)),
        "categorical split": (hgb, _edit_predictor("is_categorical", 1)),
    }
    for name, (model, edit) in cases.items():
        path = _tampered(model, tmp_path, name.replace(" ", "-"), edit)
        with pytest.raises(ModelFileError, match=r"altered|cannot be checked"):
            load(path)
    # A caller who names the tree type takes responsibility: no check.
    path = _tampered(tree, tmp_path, "named", _edit_tree("feature", 7))
    assert load(path, trusted=["sklearn.tree._tree.Tree"]).tree_.feature[0] == 7


def test_a_tree_outside_a_model_is_refused(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    X = np.arange(20.0).reshape(10, 2)
    tree = DecisionTreeClassifier(max_depth=2).fit(X, np.arange(10) % 2).tree_
    with pytest.raises(ModelFileError, match="outside a fitted model"):
        load(save({"tree": tree}, tmp_path / "t.skops"))


def test_a_model_from_custseg_fit_predicts_with_no_flags(tmp_path, log_csv):
    import skops.io as sio

    path = tmp_path / "model.skops"
    assert main(["fit", str(log_csv), "-o", str(path), "--observation-date", "1997-09-30"]) == 0
    assert read_metadata(path)["serializer"] == "skops"
    assert {"sklearn.tree._tree.Tree"} <= set(sio.get_untrusted_types(file=path))
    pred, seg = tmp_path / "pred.csv", tmp_path / "seg.csv"
    assert main(["predict", str(path), str(log_csv), "-o", str(pred), "--as-of",
                 "1997-09-30"]) == 0
    assert main(["segment", str(log_csv), "-o", str(seg), "--as-of", "1997-09-30"]) == 0
    expected = pd.read_csv(seg)
    assert len(expected) == 400
    pd.testing.assert_frame_equal(pd.read_csv(pred), expected)
    # The same file opens with the plain libraries.
    plain = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert type(plain["model"]).__name__ == "CustomerSegmentation"
