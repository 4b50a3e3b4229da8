"""Show invisible characters from the data as visible text before they reach the page.

The report is Jinja2's ``finalize`` hook for every ``{{ ... }}`` value, so no template can
forget it. Two kinds of characters are rewritten:

- C0 and C1 control characters (all but the tab) and DEL: raw control bytes make ``grep``
  call the page a binary file and hide what a document really holds. They become ``\\x00``,
  ``\\x1b``, ``\\x85`` (plain ASCII: the Control Pictures block, ``␀``, is missing from
  common fonts such as DejaVu and would show as empty boxes).
- The explicit bidirectional formatting characters (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI,
  PDI) and the line and paragraph separators become ``\\u202e`` escapes. Document text is
  shown inside ``<bdi>`` isolates, but Chromium builds an isolate from the same FSI/PDI
  pair the text may carry: a PDI (or a paragraph separator) in an id would close the
  isolate early and an RLO after it would reverse the report's own text.

The implicit marks (LRM, RLM, ALM) stay: inside an isolate they only order its own text.
"""

from __future__ import annotations

import re
from typing import Any, Final

from markupsafe import Markup

_TABLE: Final[dict[int, str]] = {
    **{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x09},
    **{c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_NEEDS: Final = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")


def visible(text: str) -> str:
    """``text`` with control and bidi formatting characters written out visibly."""
    return text.translate(_TABLE) if _NEEDS.search(text) else text


def finalize(value: Any) -> Any:
    """Jinja2 ``finalize``: plain strings from the data go through :func:`visible`; markup
    (the static CSS and JS, macro output) and numbers pass unchanged."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value
