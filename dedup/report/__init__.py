"""The HTML quality report: one offline file rendered only from an output folder.

``render_report(out_dir, html_path)`` is the entry point used by ``dedup clean --report``
and ``dedup report DIR -o FILE``.
"""

from __future__ import annotations

from dedup.report.render import DEFAULT_SAMPLE_LIMIT, render_html, render_report

__all__ = ["DEFAULT_SAMPLE_LIMIT", "render_html", "render_report"]
