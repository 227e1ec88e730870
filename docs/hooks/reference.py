"""mkdocs hook: the command-line reference from the parser, and a sample report.

* ``cli.md`` gets, in place of the ``<!-- cli-reference -->`` marker, the ``--help`` text of
  ``custseg`` and of every subcommand, taken from ``custseg.cli.build_parser()`` at build
  time (the page cannot drift from the code);
* ``sample-report.html`` is the HTML report of the bundled CDNOW sample, rendered with the
  current code (fit, predict, ``write_report`` with the log), linked from the home page.
"""

from __future__ import annotations

import argparse
from typing import Any

MARKER = "<!-- cli-reference -->"


def cli_reference() -> str:
    """Markdown: one section per command with its help text."""
    import os

    from custseg.cli import build_parser

    os.environ.setdefault("COLUMNS", "100")  # argparse wraps at the terminal width
    parser = build_parser()
    parts = ["## custseg\n", "```text\n" + parser.format_help().rstrip() + "\n```\n"]
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in subparsers:
        for name, sub in action.choices.items():
            parts.append(f"## custseg {name}\n")
            parts.append("```text\n" + sub.format_help().rstrip() + "\n```\n")
    return "\n".join(parts)


def sample_report() -> bytes:
    """The report of the CDNOW sample, as the demo writes it for the full log."""
    from threadpoolctl import threadpool_limits

    from custseg.datasets import load_cdnow
    from custseg.pipeline import CustomerSegmentation
    from custseg.report import render_report

    log = load_cdnow(sample=True)
    with threadpool_limits(limits=1):
        model = CustomerSegmentation(random_state=0).fit(log)
        table = model.predict(log)
        page = render_report(table, model=model, transactions=log,
                             title="Sample report: CDNOW customers (1/10 sample)")
    return page.encode("utf-8")


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    files.append(File.generated(config, "sample-report.html", content=sample_report()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
