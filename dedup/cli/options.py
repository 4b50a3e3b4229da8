"""Click options generated from the typed configuration models.

Each config field that names a ``flag`` becomes an option with that flag, its type and its
description, so the CLI, the toml keys and the error messages cannot disagree. Values
arrive as ``<section>__<field>`` keyword arguments; :func:`section_overrides` turns them
back into the nested dict :func:`dedup.config.build_config` takes.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

import click
from pydantic import BaseModel

SEP = "__"


def _click_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) and len(args) == 1:
        annotation = args[0]
    return {int: int, float: float, str: str}.get(annotation, str)


def model_options(section: str, model: type[BaseModel]) -> Callable[[Any], Any]:
    """Decorator adding one option per flagged field of ``model``."""

    def decorate(f: Any) -> Any:
        for name, info in reversed(list(model.model_fields.items())):
            extra = info.json_schema_extra
            flag = extra.get("flag") if isinstance(extra, dict) else None
            if not isinstance(flag, str):
                continue
            dest = f"{section}{SEP}{name}"
            help_text = (info.description or "").rstrip(".")
            help_text = help_text[:1].upper() + help_text[1:]
            if info.annotation is bool:
                # "--no-x" switches a default-on feature off; "--x" switches one on.
                value = not flag.startswith("--no-")
                if not value:
                    help_text = f"Turn off: {help_text[:1].lower()}{help_text[1:]}"
                f = click.option(
                    flag, dest, is_flag=True, flag_value=value, default=None, help=f"{help_text}."
                )(f)
            else:
                shown = "" if info.default is None else f" [default: {info.default}]"
                f = click.option(
                    flag,
                    dest,
                    type=_click_type(info.annotation),
                    default=None,
                    help=f"{help_text}.{shown}",
                )(f)
        return f

    return decorate


def section_overrides(kwargs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Pop every ``section__field`` keyword into ``{section: {field: value}}``."""
    out: dict[str, dict[str, Any]] = {}
    for key in [k for k in kwargs if SEP in k]:
        section, field = key.split(SEP, 1)
        value = kwargs.pop(key)
        if value is not None:
            out.setdefault(section, {})[field] = value
    return out
