"""Typed configuration, validated once at the edge.

Sources, later wins: built-in defaults < ``[tool.dedup]`` in ``pyproject.toml`` or a
``dedup.toml`` (top-level keys / tables) < CLI flags. Every field names its CLI flag
(``flag`` in its metadata) so an invalid value is reported as ``--num-perm: ...``.

Each package owns the model of its section (``neardup/config.py``, ...); this module
only assembles them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dedup.cpus import usable_cpus
from dedup.errors import ConfigError
from dedup.neardup.config import NearDupConfig
from dedup.validate.config import ValidationConfig


def flag(name: str) -> dict[str, Any]:
    return {"flag": name}


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class InputConfig(StrictModel):
    encoding_errors: Literal["strict", "replace"] = Field(
        "strict",
        description=(
            "'strict': undecodable bytes are an error; 'replace': decoded with U+FFFD, no error"
        ),
        json_schema_extra=flag("--encoding-errors"),
    )
    on_error: Literal["fail", "skip"] = Field(
        "fail",
        description="'fail': a bad input document stops the run (exit 1); "
        "'skip': it is recorded as rejected with its reason and the run goes on",
        json_schema_extra=flag("--on-error"),
    )
    max_doc_bytes: int = Field(
        64 * 1024 * 1024,
        gt=0,
        description="largest document accepted, in bytes",
        json_schema_extra=flag("--max-doc-bytes"),
    )


def bundled_rules_dir() -> Path:
    """The rule packs shipped with dedup: the repo's ``rules/`` (or the installed copy)."""
    env = os.environ.get("DEDUP_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    repo_rules = here.parent / "rules"
    if repo_rules.is_dir():
        return repo_rules
    return here / "data" / "rules"


class DedupConfig(StrictModel):
    rules: tuple[Path, ...] = Field(
        default_factory=lambda: (bundled_rules_dir(),),
        description="rule pack files or folders of *.yaml",
        json_schema_extra=flag("--rules"),
    )
    jobs: int = Field(
        default_factory=usable_cpus,
        ge=1,
        le=512,
        description="worker processes for the per-document work",
        json_schema_extra=flag("--jobs"),
    )
    # Frozen models, so one shared default instance is safe.
    input: InputConfig = InputConfig()
    neardup: NearDupConfig = NearDupConfig()
    validation: ValidationConfig = ValidationConfig()

    def public_dict(self) -> dict[str, Any]:
        """JSON-ready parameters for the manifest."""
        return self.model_dump(mode="json")


def _flag_for(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    current: Any = model
    name = ".".join(str(p) for p in loc)
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "flag" in extra:
            name = f"{extra['flag']} ({'.'.join(str(p) for p in loc)})"
        current = info.annotation
    return name


# numpy's RandomState, which draws the MinHash permutations (datasketch's scheme), takes
# seeds 0 .. 2**32 - 1 only; a larger one raised ValueError deep in the engine.
MAX_SEED = 2**32 - 1


def _lookup(values: dict[str, Any], loc: tuple[int | str, ...]) -> Any:
    current: Any = values
    for part in loc:
        if not isinstance(current, dict) or part not in current or current[part] is None:
            return None
        current = current[part]
    return current


def build_config(
    overrides: dict[str, Any] | None = None,
    *,
    file_values: dict[str, Any] | None = None,
    source: Path | None = None,
) -> DedupConfig:
    """Merge file values and flag overrides (nested dicts) into a validated config.

    ``source`` is the file ``file_values`` came from: an invalid value that came from it
    (not from a flag) is reported as ``FILE: --flag (key): message``.
    """
    data: dict[str, Any] = {}
    _deep_merge(data, file_values or {})
    _deep_merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})

    def error(loc: tuple[int | str, ...], message: str) -> ConfigError:
        where = _flag_for(DedupConfig, loc)
        given = _lookup(overrides or {}, loc) is not None
        from_file = not given and _lookup(file_values or {}, loc) is not None
        return ConfigError(f"{where}: {message}", path=source if from_file else None)

    try:
        config = DedupConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise error(tuple(err["loc"]), f"{err['msg']}{more}") from None
    if config.neardup.seed > MAX_SEED:
        raise error(("neardup", "seed"), f"Input should be less than or equal to {MAX_SEED}")
    return config


def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict):
            existing = into.setdefault(key, {})
            if isinstance(existing, dict):
                # drop None leaves: an unset flag never overrides a file value
                _deep_merge(existing, {k: v for k, v in value.items() if v is not None})
                continue
        into[key] = value


def find_config_file(start: Path | None = None) -> Path | None:
    """``dedup.toml`` or a ``pyproject.toml`` with ``[tool.dedup]``, from ``start`` upward.
    A ``pyproject.toml`` without that table does not end the search (a sub-package's
    pyproject hid the project's dedup.toml one level up)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "dedup.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_dedup_table(pyproject):
            return pyproject
    return None


def _has_dedup_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # used, so that load_config_file reports what is wrong with it
    tool = data.get("tool")
    return isinstance(tool, dict) and "dedup" in tool


def load_config_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        # TOML files are UTF-8; tomllib.load would raise this as a bare UnicodeDecodeError.
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"cannot read configuration: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start}); TOML files must be UTF-8 (convert it with iconv -f "
            "cp1252 -t utf-8)",
            path=path,
            line=line,
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", path=path) from None
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get("dedup", {})
        data = section if isinstance(section, dict) else {}
    return _rules_relative_to(data, path)


def _rules_relative_to(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """``rules`` entries of a config file are paths relative to that file's folder, not
    to wherever the command runs (the file is found upward from there): resolved here,
    and a missing one is named with the file and key."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        return data  # the model reports a wrong type, naming the file
    resolved: list[Any] = []
    for entry in rules:
        if not isinstance(entry, str):
            resolved.append(entry)
            continue
        target = path.parent / Path(entry).expanduser()
        if not target.exists():
            raise ConfigError(
                f"rules: {entry}: no such rule pack file or folder "
                f"(paths are relative to {path.parent})",
                path=path,
            )
        resolved.append(str(target))
    return {**data, "rules": resolved}
