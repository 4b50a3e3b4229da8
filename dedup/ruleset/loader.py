"""Load rule packs from YAML, collecting every error as ``file:line: field: message``.

YAML is composed (safe loader) into nodes first so every key and list item keeps its line;
the data is then validated with the pydantic models and each validation error's location
is mapped back to the line of the offending key. All problems in all files are collected
and raised together as :class:`dedup.errors.RuleErrors`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dedup.errors import ErrorRecord, RuleErrors
from dedup.io.files import is_hidden
from dedup.ruleset import cache as pack_cache
from dedup.ruleset.example_lint import example_errors
from dedup.ruleset.models import PackModel

log = logging.getLogger(__name__)

Loc = tuple[str | int, ...]
# Anchors/aliases are expanded when converting; cap the work ("billion laughs"). A long
# pack (some 50,000 labels) reaches it too: documented in docs/rules.md.
MAX_NODES = 100_000

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_MERGE_TAG = f"{_TAG}merge"
# What YAML 1.1 makes of an unquoted word a contributor meant as text (Yes, No, ~, 12).
_TYPED_AS = {f"{_TAG}bool": "a boolean", f"{_TAG}int": "a number", f"{_TAG}float": "a number"}
# libyaml's parser composes the same node tree, marks included, ~13x faster than the pure
# Python one (the 180 KB generic pack: 14 ms against 187 ms); PyYAML built without it
# falls back.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Converter:
    """YAML node tree -> plain Python data plus a map from key paths to 1-based lines."""

    def __init__(self, path: str, errors: list[ErrorRecord]) -> None:
        self.path = path
        self.errors = errors
        self.lines: dict[Loc, int] = {}
        # Unquoted scalars YAML did not read as text: loc -> a hint for a type error there.
        self.typed: dict[Loc, str] = {}
        self.nodes = 0
        # Collection nodes being converted: meeting one again is a cycle (``&a [*a]``).
        self._open: set[int] = set()
        self._scalars = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node, loc: Loc = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            # Never construct arbitrary tags (!!python/..., !!binary, dates): data only.
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported YAML tag {node.tag!r} (quote the value)", node.start_mark
            )
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self._open:
                raise _Recursive(node.start_mark.line + 1)
            self._open.add(id(node))
            try:
                return self._collection(node, loc)
            finally:
                self._open.discard(id(node))
        # A plain (unquoted) scalar: style None from PyYAML's parser, '' from libyaml's.
        if isinstance(node, yaml.ScalarNode) and not node.style:
            self._note_typed(node, loc)
        return self._scalars.construct_object(node, deep=True)

    def _note_typed(self, node: yaml.ScalarNode, loc: Loc) -> None:
        if node.tag == f"{_TAG}null":
            shown = f"YAML reads {node.value} as no value" if node.value else "the value is empty"
            self.typed[loc] = f"{shown}; quote it" if node.value else shown
        elif node.tag in _TYPED_AS:
            self.typed[loc] = f"YAML reads {node.value} as {_TYPED_AS[node.tag]}; quote it"

    def _collection(self, node: yaml.CollectionNode, loc: Loc) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if key_node.tag == _MERGE_TAG:
                    message = "merge keys (<<) are not supported; repeat the fields"
                    self._error(key_line, _dotted((*loc, "<<")), message)
                    continue
                key = self._scalars.construct_object(key_node, deep=True)
                if not isinstance(key, str | int) or isinstance(key, bool):
                    self._error(key_line, _dotted(loc), f"key {key!r} must be a string")
                    continue
                if key in out:
                    self._error(key_line, _dotted((*loc, key)), "duplicate key")
                    continue
                self.lines[(*loc, key)] = key_line
                out[key] = self.convert(value_node, (*loc, key))
            return out
        return [self.convert(item, (*loc, i)) for i, item in enumerate(node.value)]

    def _error(self, line: int, field: str | None, message: str) -> None:
        self.errors.append(ErrorRecord(self.path, line, field or None, message))


class _TooBig(Exception):
    pass


class _Recursive(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(loc: Sequence[Any], data: Any, missing: bool) -> tuple[Loc, str]:
    """Map a pydantic error location to (the deepest key path present in ``data``, the
    field to name), skipping the union tags pydantic adds (``drop``, ``list[str]``)."""
    cur = data
    found: Loc = ()
    field: list[str | int] = []
    for n, part in enumerate(loc):
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if in_dict or in_list:
            cur = cur[part]
        else:
            # Name a missing key, or the [0] of a scalar the model made a list (not a
            # union tag); point at the parent.
            if n == len(loc) - 1 and (missing or isinstance(part, int)):
                field.append(part)
            continue
        found = (*found, part)
        field.append(part)
    return found, _dotted(field)


def _line(found: Loc, lines: dict[Loc, int]) -> int | None:
    while found not in lines and found:
        found = found[:-1]
    return lines.get(found)


def _message(err: Any, hint: str | None) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in ("missing", "union_tag_not_found"):  # no ``kind:`` reads as a missing key
        return "missing required key"
    msg = str(err["msg"]).removeprefix("Value error, ")
    # "Input should be a valid string" for an unquoted Yes means nothing to its writer.
    return f"{msg} ({hint})" if hint is not None and kind.endswith("_type") else msg


def _validation_errors(
    exc: ValidationError, name: str, data: Any, conv: _Converter
) -> list[ErrorRecord]:
    located: dict[tuple[Loc, str], tuple[str, str]] = {}  # (found, field) -> type, message
    for err in exc.errors():
        loc = list(err["loc"])
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc.append("kind")
        # A model check about one of its fields names it (see models.field_error).
        at = (err.get("ctx") or {}).get("field")
        if isinstance(at, str):
            loc.append(at)
        missing = err["type"] in ("missing", "union_tag_not_found")
        found, field = _locate(loc, data, missing)
        # Each member of a union (``str | list[str]``) reports the same value: once.
        located.setdefault((found, field), (err["type"], _message(err, conv.typed.get(found))))
    return [
        ErrorRecord(name, _line(found, conv.lines), field or None, message)
        for (found, field), (kind, message) in located.items()
        if not (kind.endswith("_type") and _deeper(found, located))
    ]


def _deeper(found: Loc, located: dict[tuple[Loc, str], tuple[str, str]]) -> bool:
    # A type error at a value with errors inside it comes from another union member
    # (a list given for ``str | list[str]``): the errors inside say what is wrong.
    return any(len(f) > len(found) and f[: len(found)] == found for f, _ in located)


def _duplicate_ids(data: Any, path: str, lines: dict[Loc, int]) -> list[ErrorRecord]:
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        return []
    seen: dict[str, int | None] = {}
    errors = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            continue
        rid = rule["id"]
        line = lines.get(("rules", i, "id"))
        if rid in seen:
            errors.append(
                ErrorRecord(
                    path,
                    line,
                    f"rules[{i}].id",
                    f"duplicate rule id {rid!r} (first at line {seen[rid]})",
                )
            )
        else:
            seen[rid] = line
    return errors


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else None


class LoadedPack:
    """A validated pack file: its model, source facts and key lines."""

    def __init__(self, path: Path, sha256: str, model: PackModel, lines: dict[Loc, int]):
        self.path = path
        self.sha256 = sha256
        self.model = model
        self.lines = lines


def load_pack(path: Path, errors: list[ErrorRecord]) -> LoadedPack | None:
    """Validate one file, appending problems to ``errors``; None if it has any."""
    name = str(path)
    before = len(errors)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        errors.append(ErrorRecord(name, None, None, f"cannot read rule pack: {exc.strerror}"))
        return None
    digest = hashlib.sha256(raw).hexdigest()
    cached = pack_cache.get(digest)
    if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], PackModel):
        return LoadedPack(path, digest, *cached)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            ErrorRecord(
                name, raw[: exc.start].count(b"\n") + 1, None, "rule pack is not valid UTF-8"
            )
        )
        return None
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or "invalid YAML"
        errors.append(ErrorRecord(name, _mark_line(exc), "yaml", f"YAML syntax error: {problem}"))
        return None
    except yaml.YAMLError as exc:
        errors.append(ErrorRecord(name, None, "yaml", f"YAML error: {exc}"))
        return None
    if root is None:
        errors.append(ErrorRecord(name, 1, None, "empty rule pack"))
        return None
    conv = _Converter(name, errors)
    try:
        data = conv.convert(root)
    except _TooBig:
        message = f"pack too large: more than {MAX_NODES} YAML nodes (split it into packs)"
        errors.append(ErrorRecord(name, 1, "yaml", message))
        return None
    except _Recursive as exc:
        errors.append(
            ErrorRecord(name, exc.line, "yaml", "recursive alias (an anchor inside itself)")
        )
        return None
    except yaml.MarkedYAMLError as exc:  # e.g. an unsafe or unknown !!tag
        errors.append(ErrorRecord(name, _mark_line(exc), "yaml", f"YAML error: {exc.problem}"))
        return None
    if not isinstance(data, dict):
        errors.append(
            ErrorRecord(name, 1, None, "a rule pack is a mapping (pack, applies_to, rules)")
        )
        return None
    errors.extend(_duplicate_ids(data, name, conv.lines))
    errors.extend(example_errors(data, name, conv.lines))
    model: PackModel | None = None
    try:
        model = PackModel.model_validate(data)
    except ValidationError as exc:
        errors.extend(_validation_errors(exc, name, data, conv))
    if model is None or len(errors) > before:
        # Read top to bottom, as the file is (pydantic reports in its own order).
        errors[before:] = sorted(errors[before:], key=lambda e: e.line or 0)
        return None
    pack_cache.put(digest, (model, conv.lines))
    return LoadedPack(path, digest, model, conv.lines)


def pack_files(paths: Sequence[Path], errors: list[ErrorRecord]) -> list[Path]:
    """Files named, and ``*.yaml`` / ``*.yml`` in folders named (sorted, not recursive,
    without dot-files)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            named = sorted(p for p in path.iterdir() if _is_pack_name(p.name))
            found = [p for p in named if p.is_file()]
            # A pack that is a broken link was skipped without a word, and a site's rules
            # silently dropped out of every run (an adversarial pass found it).
            broken = [p for p in named if p.is_symlink() and not p.exists()]
            for p in broken:
                errors.append(ErrorRecord(str(p), None, None, "broken link to a rule pack"))
            if not found and not broken:
                errors.append(ErrorRecord(str(path), None, None, "no *.yaml rule packs in folder"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(ErrorRecord(str(path), None, None, "no such rule pack file or folder"))
    return files


def _is_pack_name(name: str) -> bool:
    # Dot-files are editors' (an Emacs lock ``.#generic.yaml`` is a dangling link while
    # the pack is open) or meant hidden: never packs, so they cannot block a run.
    return name.endswith((".yaml", ".yml")) and not is_hidden(name)


def load_packs(paths: Sequence[Path]) -> list[LoadedPack]:
    """Load and validate every pack; raise :class:`RuleErrors` with all problems."""
    errors: list[ErrorRecord] = []
    packs: list[LoadedPack] = []
    names: dict[str, str] = {}
    for file in pack_files(paths, errors):
        pack = load_pack(file, errors)
        if pack is None:
            continue
        name = pack.model.pack
        if name in names:
            errors.append(
                ErrorRecord(
                    str(file),
                    pack.lines.get(("pack",)),
                    "pack",
                    f"duplicate pack name {name!r} (also in {names[name]})",
                )
            )
            continue
        names[name] = str(file)
        packs.append(pack)
    if errors:
        raise RuleErrors(errors)
    log.debug("loaded %d rule packs", len(packs))
    return packs
