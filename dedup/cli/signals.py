"""SIGTERM stops a command as Ctrl-C does. Kept free of imports: the CLI group installs
it before any command module loads."""

from __future__ import annotations

import contextlib
import signal


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: the run stops as on Ctrl-C (no manifest, its
    temporaries removed, one line), with exit status 143."""


def stop_on_sigterm() -> None:
    """Make SIGTERM (timeout, systemd, Kubernetes) stop a command as Ctrl-C does; by
    default it killed the process where it stood: no message, a staging folder left."""

    def terminated(signum: int, frame: object) -> None:
        raise Terminated("terminated (SIGTERM)")

    with contextlib.suppress(ValueError):  # not the main thread (an embedding program)
        signal.signal(signal.SIGTERM, terminated)
