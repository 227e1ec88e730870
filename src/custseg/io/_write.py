"""Writing outputs whole or not at all.

Every file custseg's command line writes goes first to a temporary file in the
target's folder and is renamed over the target only once it is complete
(:func:`atomic_output`): an interrupted run (Ctrl-C, a full disk, an error)
leaves the previous file, or none, never a partial one; two runs writing the
same target at once leave the file of one of them, whole. The target is
checked before the work starts (:func:`check_writable`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..exceptions import InvalidValueError, OutputError

__all__ = ["atomic_output", "check_writable", "write_table"]


def check_writable(path: str | Path, suffixes: tuple[str, ...] | None,
                   option: str = "-o") -> None:
    """Refuse, before any work, an output the run could not write.

    ``"-"`` (standard output) is always accepted. Otherwise the suffix must be
    one of ``suffixes`` (any suffix when ``None``), the folder must exist and
    accept new files, and an existing target must be a file.

    Raises
    ------
    InvalidValueError
        The suffix names no format custseg writes.
    OutputError
        The folder is missing or not writable, or the target is a folder.
    """
    if str(path) == "-":
        return
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} {path} is a folder; name a file.")
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise InvalidValueError(
            f"{option} {path}: unknown output format '{path.suffix}'; expected one of "
            f"{', '.join(suffixes)}."
        )
    folder = path.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"{option} {path}: folder {folder} does not exist.")
    try:
        _probe(folder, path.name)
    except OSError as err:
        raise OutputError(
            f"{option} {path}: cannot write in folder {folder} ({err.strerror or err})."
        ) from None


def _probe(folder: Path, name: str) -> None:
    """Create and remove a file in ``folder``; an OSError says the folder refuses files.

    An unnamed file (``O_TMPFILE``) where the system has them: a Ctrl-C during the
    probe can leave nothing behind.
    """
    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            os.close(os.open(folder, flag | os.O_WRONLY, 0o600))
            return
        except OSError as err:
            if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
    probe = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", delete=True)
    probe.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    The temporary name keeps the target's suffix (writers choose formats by it).
    On any exception, KeyboardInterrupt included, the temporary file is removed
    and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_output(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text()
    'whole'
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        with _interrupts_deferred():  # a Ctrl-C lands after ``tmp`` is known, never before
            fd, name = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.stem}.",
                                        suffix=path.suffix)
            os.close(fd)
            tmp = Path(name)
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back during the block (main thread); one received meanwhile
    is delivered on leaving it, so the KeyboardInterrupt is raised after the block.

    The Python handlers are swapped, not only the thread's signal mask: the process's
    other threads (polars, OpenMP) can receive the signal, and its Python handler then
    ran in the main thread inside the block (a temporary file was left behind in 2 of 5
    interrupted ``custseg segment`` runs, tests/io/test_write.py).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    old = {s: signal.signal(s, lambda n, _frame: got.append(n))
           for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if got:
            handler = old[signal.Signals(got[0])]
            if callable(handler):
                handler(got[0], None)
            else:
                signal.raise_signal(got[0])


def write_table(table: Any, path: str | Path, stdout: TextIO | None = None) -> None:
    """Write a per-customer table as CSV or parquet (by suffix), or CSV to ``stdout``.

    A pandas, polars or pyarrow table is accepted; floats are written in their
    shortest exact form (a total of cents reads ``156.46``).
    """
    frame = _pandas(table)
    if str(path) == "-":
        if stdout is None:  # pragma: no cover - the command line passes its stream
            raise InvalidValueError("write_table(path='-') needs stdout=.")
        frame.to_csv(stdout, index=False)
        stdout.flush()
        return
    with atomic_output(path) as tmp:
        if tmp.suffix.lower() in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)


def _pandas(table: Any) -> Any:
    if hasattr(table, "to_csv"):
        return table
    return table.to_pandas()
