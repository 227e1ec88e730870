"""What a file holds, told from its first bytes (never from its name), and its text.

:func:`sniff` names the container (compression or table format) by its magic
bytes; :func:`decode` turns CSV bytes into text (UTF-8 with or without a BOM,
UTF-16 with a BOM, or the encoding asked for); :func:`delimiter` finds the field
separator of a CSV header when none was given, and refuses to choose between
two that both fit.
"""

from __future__ import annotations

import csv

from ..exceptions import FileFormatError

__all__ = ["decode", "delimiter", "describe", "sniff"]

COMPRESSED = {
    b"\x1f\x8b": "gzip",
    b"\x28\xb5\x2f\xfd": "zstd",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
}
TABLES = {
    b"PAR1": "parquet",
    b"ARROW1": "arrow",
    b"FEA1": "feather1",
    b"\xff\xff\xff\xff": "arrow-stream",
}
# Files that are not tables custseg reads, by their magic bytes, with a name for users.
OTHER = {
    b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook is one)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office document",
    b"SQLite format 3\x00": "an SQLite database",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\x80\x04\x95": "a Python pickle",
    b"\x80\x05\x95": "a Python pickle",
}
SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}


def sniff(head: bytes) -> str:
    """The kind of content whose first bytes are ``head``: a compression, a table
    format, ``"other:<what it is>"``, or ``"text"``."""
    for magic, kind in {**COMPRESSED, **TABLES}.items():
        if head.startswith(magic):
            return kind
    for magic, what in OTHER.items():
        if head.startswith(magic):
            return f"other:{what}"
    return "text"


def describe(head: bytes) -> str:
    """A few words on what non-table bytes look like, for an error message."""
    kind = sniff(head)
    if kind.startswith("other:"):
        return kind.split(":", 1)[1]
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "JSON"
    if stripped[:1] == b"<":
        return "HTML or XML"
    return "binary data"


def decode(data: bytes, name: str, encoding: str | None) -> str:
    """CSV bytes as text: UTF-8 (BOM or not), UTF-16/32 with a BOM, or ``encoding``."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise FileFormatError(f"{name}: unknown encoding {encoding!r}.") from None
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{name} is not valid {encoding} text (byte 0x{data[err.start]:02x} at offset "
                f"{err.start}); check the file's encoding."
            ) from None
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise FileFormatError(
                    f"{name} starts with a {codec.upper()} byte-order mark but is not valid "
                    f"{codec.upper()} text."
                ) from None
    sample = data[:4096]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if text.isprintable() or "\n" in text:
                return text
        raise FileFormatError(f"{name} does not hold text: it looks like {describe(data[:64])}.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
        if controls > len(sample) // 20:
            raise FileFormatError(
                f"{name} does not hold text: it looks like {describe(data[:64])}; custseg "
                "reads CSV, parquet and Arrow IPC/Feather files."
            ) from None
        raise FileFormatError(
            f"{name} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "save it as UTF-8, or name its encoding: encoding= in Python, --encoding on the "
            "command line (e.g. cp1252 or latin-1)."
        ) from None


def _fields(lines: list[str], sep: str) -> list[int]:
    """Fields per line; a line the csv module cannot split counts as 0 fields."""
    counts = []
    for line in lines:
        try:
            counts.append(len(next(csv.reader([line], delimiter=sep), [])))
        except csv.Error:
            counts.append(0)
    return counts


def delimiter(text: str, name: str) -> str:
    """The separator of a CSV whose text starts with ``text``: the one of ``,``, ``;``,
    tab and ``|`` that splits the header in more than one field and every line in as
    many. Raises :class:`FileFormatError` when two fit."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    if len(lines) > 1 and len(text.splitlines()) > 50:
        lines = lines[:-1]  # the last sampled line may be cut
    fits = []
    for sep in SEPARATORS:
        counts = _fields(lines, sep)
        if counts and counts[0] > 1 and all(c == counts[0] for c in counts):
            fits.append(sep)
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        shown = " and ".join(_SEP_NAMES[s] for s in fits)
        raise FileFormatError(
            f"{name}: both {shown} split every line into the same number of fields; pass "
            "the separator: sep= in Python, --sep on the command line."
        )
    # No separator fits every line: take the one that splits the header (the parser
    # then names the first line that disagrees), or ',' for a one-column file.
    return next((s for s in SEPARATORS if _fields(lines[:1], s)[0] > 1), ",")
