"""Reading custseg model files without running code: sizes, metadata, the skops schema.

A model file is a plain skops file (a zip archive) or a plain joblib file (a
pickle, possibly zlib-compressed), holding ``{"custseg_metadata": <JSON text>,
"model": <object>}`` with the metadata first. These helpers find the metadata in
the skops schema or in the first pickle opcodes (parsed by :mod:`pickletools`,
never executed), and check an archive's declared sizes before any member is
inflated (:mod:`zipfile` never inflates a member past its declared size).
"""

from __future__ import annotations

import io
import json
import pickletools
import zipfile
import zlib
from pathlib import Path
from typing import Any

from .exceptions import ModelFileError

METADATA_KEY = "custseg_metadata"
MODEL_KEY = "model"
LEGACY_METADATA = "custseg-metadata.json"  # custseg 0.1 wrapped payloads in its own zip
_PREFIX_BYTES = 1 << 20  # enough of a joblib file to hold its metadata
_HEADER_OPCODES = frozenset({"PROTO", "FRAME", "EMPTY_DICT", "MEMOIZE", "MARK"})


def check_file(path: str | Path) -> Path:
    """Return ``path`` as a Path, or raise FileNotFoundError."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    return path


def not_a_model(path: Path, why: str) -> ModelFileError:
    """Return the error for a file that custseg did not write."""
    return ModelFileError(
        f"{path} is not a custseg model file ({why}); expected a file written by "
        "custseg.persistence.save."
    )


def check_archive(zf: zipfile.ZipFile, path: Path, max_bytes: int,
                  members: tuple[str, ...] | None = None) -> None:
    """Refuse an archive whose members (or ``members``) inflate past ``max_bytes``."""
    total = 0
    for info in zf.infolist():
        if members is not None and info.filename not in members:
            continue
        total += info.file_size
        if total > max_bytes:
            raise ModelFileError(
                f"{path}: its archive members inflate to more than {max_bytes:,} bytes "
                f"(member {info.filename!r} alone declares {info.file_size:,}); refused "
                "without reading it. Pass max_bytes= a larger limit if you expect a model "
                "that large."
            )


def decode_metadata(text: Any, path: Path) -> dict[str, Any]:
    """Parse the metadata JSON text; it must name the saved class."""
    try:
        meta = json.loads(text)
    except (TypeError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not isinstance(meta.get("class"), str):
        raise not_a_model(path, "its metadata is not readable")
    return meta


def skops_metadata(zf: zipfile.ZipFile, path: Path, max_bytes: int) -> dict[str, Any]:
    """Read the metadata from a skops schema (not its arrays), or a 0.1 archive."""
    names = zf.namelist()
    if LEGACY_METADATA in names:
        check_archive(zf, path, max_bytes, (LEGACY_METADATA,))
        return decode_metadata(zf.read(LEGACY_METADATA), path)
    if "schema.json" not in names:
        raise not_a_model(path, "a zip archive that is not a skops file")
    check_archive(zf, path, max_bytes, ("schema.json",))
    try:
        node = json.loads(zf.read("schema.json"))["content"][METADATA_KEY]
        text = json.loads(node["content"]) if node.get("__loader__") == "JsonNode" else None
    except (ValueError, KeyError, TypeError):
        raise not_a_model(path, "a skops file without custseg's metadata") from None
    return decode_metadata(text, path)


def _joblib_prefix(path: Path) -> bytes:
    """Return the first (decompressed) bytes of a joblib file: uncompressed or zlib."""
    with path.open("rb") as fh:
        head = fh.read(_PREFIX_BYTES)
    if head[:1] == b"\x80":
        return head
    if head[:1] == b"x":
        try:
            return zlib.decompressobj().decompress(head, _PREFIX_BYTES)
        except zlib.error:
            pass
    raise not_a_model(path, "neither a skops nor a joblib file")


def joblib_metadata(path: Path) -> dict[str, Any]:
    """Read the metadata from the first pickle opcodes, without running any of them."""
    strings: list[str] = []
    try:
        for opcode, arg, _ in pickletools.genops(io.BytesIO(_joblib_prefix(path))):
            if opcode.name in _HEADER_OPCODES:
                continue
            if not opcode.name.endswith("UNICODE") or not isinstance(arg, str):
                break
            strings.append(arg)
            if len(strings) == 2:
                break
    except ValueError:  # truncated or not a pickle
        pass
    if len(strings) < 2 or strings[0] != METADATA_KEY:
        raise not_a_model(path, "a joblib file without custseg's metadata")
    return decode_metadata(strings[1], path)


def read_archive(path: Path, max_bytes: int) -> tuple[bytes, dict[str, bytes]]:
    """Return the bytes of a zip file and its small JSON members, after checking sizes.

    The file is read once, so what is checked is what skops loads.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise ModelFileError(
            f"{path} is {size:,} bytes, more than max_bytes={max_bytes:,}; refused."
        )
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_archive(zf, path, max_bytes)
            names = set(zf.namelist())
            small = {n: zf.read(n) for n in ("schema.json", LEGACY_METADATA) if n in names}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as err:
        raise not_a_model(path, f"a damaged zip archive: {err}") from None
    return data, small


def legacy_payload(data: bytes, path: Path, meta: dict[str, Any]) -> tuple[str, bytes]:
    """Return the serializer and payload of a custseg 0.1 archive (already size-checked)."""
    member = "model.skops" if meta.get("serializer") == "skops" else "model.joblib"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if member not in zf.namelist():
            raise not_a_model(path, f"its payload {member} is missing")
        return member.removeprefix("model."), zf.read(member)
