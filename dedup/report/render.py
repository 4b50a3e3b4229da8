"""Render the report to one self-contained HTML file, atomically.

The page carries its CSS and JS inline and a Content-Security-Policy that allows only
those two blocks (by sha256) and nothing from the network: even if some content escaped
the template's escaping, the browser would neither run it nor fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from dedup.errors import OutputError
from dedup.io.atomic import atomic_open
from dedup.io.writers import check_report_location, check_writable_file_path
from dedup.report.build import build_report_data
from dedup.report.visible import finalize

log = logging.getLogger(__name__)

DEFAULT_SAMPLE_LIMIT = 200


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dedup.report", "templates"),
        autoescape=True,  # every template, whatever its suffix: content is untrusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,  # control and bidi formatting characters from the data, visible
    )
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["pct"] = lambda x: f"{x:.1f}%"
    env.filters["sim"] = lambda x: "" if x is None else f"{x:.2f}"
    return env


def _asset(env: Environment, name: str) -> str:
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(
    out_dir: str | os.PathLike[str], *, sample_limit: int = DEFAULT_SAMPLE_LIMIT
) -> str:
    """The report page for ``out_dir`` as a string."""
    _check_sample_limit(sample_limit)
    env = _environment()
    data = build_report_data(Path(out_dir), sample_limit=sample_limit)
    # Static assets, read verbatim (not templated): they hold no data and their hash is fixed.
    css = _asset(env, "report.css")
    js = _asset(env, "report.js")
    csp = (
        "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}"
    )
    return env.get_template("report.html.j2").render(
        d=data, v=data.verdict, css=Markup(css), js=Markup(js), csp=csp
    )


def _check_sample_limit(sample_limit: object) -> None:
    if isinstance(sample_limit, bool) or not isinstance(sample_limit, int) or sample_limit < 0:
        raise TypeError(f"sample_limit must be an integer >= 0, not {sample_limit!r}")


def render_report(
    out_dir: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    *,
    sample_limit: int = DEFAULT_SAMPLE_LIMIT,
) -> Path:
    """Render the HTML report of the output folder ``out_dir`` to ``html_path``.

    Reads only ``out_dir`` (manifest, JSONL files, validation.json), so re-rendering an
    old run gives the same page as ``dedup clean --report``. Per-document detail is shown
    for at most ``sample_limit`` documents (all of them, in input order, when they fit;
    otherwise the worst first). Returns ``html_path``.
    """
    out_dir, html_path = Path(out_dir), Path(html_path)
    _check_sample_limit(sample_limit)
    check_report_location(out_dir, html_path)
    check_writable_file_path(html_path, "-o")
    started = time.perf_counter()
    html = render_html(out_dir, sample_limit=sample_limit)
    try:
        with atomic_open(html_path) as fh:  # never a half-written report
            fh.write(html.encode("utf-8"))
    except OSError as err:
        raise OutputError(
            f"cannot write the report: {err.strerror or err}", path=html_path
        ) from None
    log.info(
        "report %s: %d bytes in %.2fs", html_path, len(html.encode()), time.perf_counter() - started
    )
    return html_path
