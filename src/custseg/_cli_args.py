"""Arguments shared by the commands that read a transaction log and write a table."""

from __future__ import annotations

import argparse

__all__ = ["add_log_input"]

INPUT_HELP = "transaction file (CSV, parquet or Arrow/Feather; - for stdin)"
OUTPUT_HELP = "output .csv or .parquet file (default: CSV on stdout)"


def add_log_input(p: argparse.ArgumentParser, *, as_of: str, output: str = OUTPUT_HELP) -> None:
    """Add ``INPUT``, ``-o/--output`` (stdout by default) and ``--as-of DATE`` to ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The command's parser.
    as_of : str
        Help of ``--as-of``: what the date means for this command.
    output : str, optional
        Help of ``--output``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_log_input(p, as_of="date of the table")
    >>> p.parse_args(["log.csv", "--as-of", "2024-06-30"])
    Namespace(input='log.csv', output='-', as_of='2024-06-30')
    """
    p.add_argument("input", metavar="INPUT", help=INPUT_HELP)
    p.add_argument("-o", "--output", metavar="FILE", default="-", help=output)
    p.add_argument("--as-of", metavar="DATE", help=as_of)
