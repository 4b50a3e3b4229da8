"""The clean command's progress: a bar on a TTY, a heartbeat in a pipeline's log."""

from __future__ import annotations

import pytest

from dedup.cli.common import CliProgress


def test_pipeline_heartbeat_names_documents_and_phases(capsys: pytest.CaptureFixture[str]) -> None:
    progress = CliProgress(enabled=False, log_every=0.0)
    progress.start(None)
    progress.advance(3)
    progress.advance(2)
    progress.phase("writing out/")
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "dedup: cleaning: 3 documents",
        "dedup: cleaning: 5 documents",
        "dedup: writing out/",
    ]


def test_a_short_run_in_a_pipeline_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    progress = CliProgress(enabled=False, log_every=3600.0)
    progress.start(None)
    progress.advance(10_000)
    progress.phase("validating")
    progress.close()
    assert capsys.readouterr().err == ""


def test_quiet_means_silent(capsys: pytest.CaptureFixture[str]) -> None:
    progress = CliProgress(enabled=False, log_every=None)
    progress.start(5)
    progress.advance(5)
    progress.phase("writing")
    assert capsys.readouterr().err == ""
