"""mkdocs hook: render the Sphinx markup of the numpydoc docstrings.

The docstrings use Sphinx roles (``:func:`custseg.rfm```), which mkdocstrings renders
literally as ``:func:<code>custseg.rfm</code>``. This hook drops the role and, when the target
is documented on this site, links it (through mkdocs-autorefs; unknown targets such as
``sklearn`` names stay plain code). A leading ``~`` shows only the last name, as in Sphinx.
It also turns a ``.. warning::`` (or note, danger, tip) directive and its paragraph into an
admonition box.
"""

from __future__ import annotations

import re
from typing import Any

ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|obj|exc):<code>(~?)([\w.]+)</code>")
DIRECTIVE = re.compile(r"<p>\.\. (warning|note|danger|tip|important)::</p>\s*<p>(.*?)</p>",
                       re.S)


def _link(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    title = target.rsplit(".", 1)[-1] if tilde else target
    return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'


def _admonition(match: re.Match[str]) -> str:
    kind, body = match.groups()
    return (f'<div class="admonition {kind}"><p class="admonition-title">{kind.title()}</p>'
            f"<p>{body}</p></div>")


def on_page_content(html: str, **kwargs: Any) -> str:
    """Replace every rendered role by a (possible) cross-reference, directives by boxes."""
    return DIRECTIVE.sub(_admonition, ROLE.sub(_link, html))
