"""Typed models of a rule pack (the YAML schema), validated with pydantic.

Every model forbids unknown keys, so a typo such as ``regx:`` is an error with its line
instead of a rule that silently matches nothing. Regexes are checked with RE2 here, at
load time, so a pack that loads is a pack that runs.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dedup.ruleset.patterns import check_regex
from dedup.text.normalize import normalize

NonEmpty = Annotated[str, Field(min_length=1)]
PositiveInt = Annotated[int, Field(ge=1)]


def _regex(value: str) -> str:
    problem = check_regex(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Regex = Annotated[str, Field(min_length=1), AfterValidator(_regex)]


def field_error(field: str, message: str) -> PydanticCustomError:
    """A model check's error about one of its fields: the loader reports it at that
    field's key and line (``rules[0].min_chars``), not at the rule's first line."""
    return PydanticCustomError("value_error", "{message}", {"message": message, "field": field})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Where(_Strict):
    """Scope: the first ``head`` / last ``tail`` paragraphs, all but the first
    ``skip_head``, or the paragraphs below the article's running text (``after_prose``: the
    minimum word count of a prose line, see ``dedup.ruleset.layout.scope``).

    Positions count the paragraphs still kept when the rule runs (docs/rules.md).
    """

    head: PositiveInt | None = None
    tail: PositiveInt | None = None
    skip_head: PositiveInt | None = None
    after_prose: PositiveInt | None = None

    @model_validator(mode="after")
    def _one(self) -> Where:
        bounds = (self.head, self.tail, self.skip_head, self.after_prose)
        if sum(n is not None for n in bounds) != 1:
            raise ValueError("give exactly one of head, tail, skip_head, after_prose")
        return self


class LinePattern(_Strict):
    """A regex that identifies a site when it matches some line (optionally in a scope)."""

    regex: Regex
    match_on: Literal["norm", "raw"] = "norm"
    where: Where | None = None


class AppliesTo(_Strict):
    """Which documents a pack applies to: any criterion that holds is enough."""

    any: bool = False
    line_pattern: list[LinePattern] = Field(default_factory=list)
    url_domain: list[NonEmpty] = Field(default_factory=list)
    path_glob: list[NonEmpty] = Field(default_factory=list)

    @field_validator("line_pattern", mode="before")
    @classmethod
    def _listify_lines(cls, value: object) -> object:
        if isinstance(value, str | dict):
            value = [value]
        if isinstance(value, list):
            return [{"regex": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("url_domain", "path_glob", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _some(self) -> AppliesTo:
        if not (self.any or self.line_pattern or self.url_domain or self.path_glob):
            raise ValueError("give at least one of any: true, line_pattern, url_domain, path_glob")
        return self


class StripExample(_Strict):
    in_: str = Field(alias="in")
    out: str


class Examples(_Strict):
    """Lines a rule must remove (``drop``), leave alone (``keep``), or rewrite (``strip``).

    A ``drop``/``keep`` example with several lines (a YAML block or a list) is run as one
    small document, which is how ``drop_run`` and ``cut_after`` examples are written.
    """

    drop: list[str | list[str]] = Field(default_factory=list)
    keep: list[str | list[str]] = Field(default_factory=list)
    strip: list[StripExample] = Field(default_factory=list)


class _RuleBase(_Strict):
    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    why: Annotated[str, Field(min_length=1)]
    where: Where | None = None
    examples: Examples = Field(default_factory=Examples)

    @field_validator("why")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("why must be one line")
        return value.strip()


class _Matcher(_RuleBase):
    """Match one line by exact text, RE2 regex, or rapidfuzz similarity."""

    match_on: Literal["norm", "raw"] = "norm"
    ignore_case: bool = False  # before ``exact``: its check compares labels as matched
    exact: list[NonEmpty] = Field(default_factory=list)
    regex: list[Regex] = Field(default_factory=list)
    fuzzy: list[NonEmpty] = Field(default_factory=list)
    score_cutoff: Annotated[float, Field(ge=50, le=100)] = 90.0
    min_chars: Annotated[int, Field(ge=0)] | None = None
    max_chars: PositiveInt | None = None

    @field_validator("exact", "regex", "fuzzy", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _some(self) -> _Matcher:
        if not (self.exact or self.regex or self.fuzzy):
            raise ValueError("give at least one of exact, regex, fuzzy")
        low, high = self.min_chars, self.max_chars
        if low is not None and high is not None and low > high:
            raise field_error(
                "min_chars",
                f"min_chars ({low}) exceeds max_chars ({high}): the rule could never match",
            )
        return self

    @field_validator("exact", mode="after")
    @classmethod
    def _distinct(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # Long label lists grow by appending: a label that matches the same lines as an
        # earlier one is a sign the list was not read.
        on, fold = info.data.get("match_on", "norm"), info.data.get("ignore_case", False)
        seen: set[str] = set()
        for label in value:
            key = exact_form(label, on, fold)
            if key in seen:
                raise ValueError(f"{label!r} is listed twice")
            seen.add(key)
        return value


def exact_form(label: str, match_on: str, ignore_case: bool) -> str:
    """The form an ``exact`` label is compared in: normalised like the lines it is matched
    against (``match_on``), case-folded under ``ignore_case``."""
    text = normalize(label) if match_on == "norm" else label
    return text.casefold() if ignore_case else text


class DropRule(_Matcher):
    kind: Literal["drop"]


class Confirm(_Strict):
    """What must follow a ``cut_after`` marker for it to cut: at least ``min`` of the next
    ``within`` kept lines match ``regex`` (a comment heading is followed by signed
    comments; the same word as a counter under a headline is followed by the article)."""

    regex: Regex
    within: Annotated[int, Field(ge=1, le=100)] = 12
    min: Annotated[int, Field(ge=1)] = 2

    @model_validator(mode="after")
    def _reachable(self) -> Confirm:
        if self.min > self.within:
            raise field_error("min", f"min ({self.min}) cannot exceed within ({self.within})")
        return self


class CutAfterRule(_Matcher):
    """From the first marker line (in scope, and confirmed when ``confirm`` is given) to
    the end of the document."""

    kind: Literal["cut_after"]
    include_marker: bool = True
    confirm: Confirm | None = None


class StripRule(_RuleBase):
    """Remove (or replace) a regex match inside the output text of a line; the line stays."""

    kind: Literal["strip"]
    regex: Regex
    replace: str = ""

    @field_validator("where")
    @classmethod
    def _unscoped(cls, value: Where | None) -> Where | None:
        # A scope counts lines, and the near-duplicate stages remove lines after the rules
        # run: a rerun over the cleaned text would see a dateline come into reach and strip
        # it (not idempotent). A strip rule's regex is its only anchor.
        if value is not None:
            raise ValueError(
                "strip rules take no where: anchor the regex instead (a scope counts lines "
                "that near-duplicate stages may remove later, so a rerun could strip more)"
            )
        return value


class DropRunRule(_RuleBase):
    """Consecutive lines: each matching ``line`` (at least ``min_run``), or blocks headed by
    a ``start`` line of at most ``block_lines`` lines (at least ``min_blocks`` blocks), or,
    with both, a ``start`` line (a heading) and the ``line`` lines right under it (at least
    ``min_run``: a box of related links)."""

    kind: Literal["drop_run"]
    match_on: Literal["norm", "raw"] = "norm"
    line: Regex | None = None
    min_run: Annotated[int, Field(ge=1)] = 2
    start: Regex | None = None
    block_lines: Annotated[int, Field(ge=1)] = 3
    min_blocks: Annotated[int, Field(ge=1)] = 2
    # Only a run that ends with the document's last line (lists of links closing a page).
    to_end: bool = False
    # With ``line`` alone: one line matching ``bridge`` right after a whole run (min_run
    # matches since the run began or the last bridge) and right before two matching lines
    # joins them (a menu entry the label pattern misses); it does not count toward min_run.
    bridge: Regex | None = None
    # With ``line`` alone: a run right under a kept line matching ``not_after`` is left (a
    # list the article introduces: "Areas that will be affected include:").
    not_after: Regex | None = None
    # With ``line`` alone: a list names each item once, so a line repeating one of the
    # run's lines ends it (a series' part printed again as the headline under its list).
    distinct: bool = False
    # With ``start`` and ``line``: a heading that also matches ``unless_start`` heads no
    # list ("Our Sources" is no writer's name over a date line).
    unless_start: Regex | None = None
    # With ``start`` and ``line``: a list's last line of fewer words than this, with the
    # page going on under it, is the article's subheading ("Why does it matter?" right
    # under a "Read more" box), not one more headline of the list.
    subheading_words: Annotated[int, Field(ge=2)] | None = None

    @model_validator(mode="after")
    def _one(self) -> DropRunRule:
        if self.line is None and self.start is None:
            raise ValueError(
                "give line (with min_run), start (with block_lines), or both (a heading and"
                " the lines under it)"
            )
        if self.not_after is not None and (self.line is None or self.start is not None):
            raise field_error(
                "not_after",
                "not_after tests the line above a run of line matches: give it with line alone",
            )
        if self.subheading_words is not None and (self.line is None or self.start is None):
            raise field_error(
                "subheading_words",
                "subheading_words trims a heading's list: give it with start and line",
            )
        if self.unless_start is not None and (self.line is None or self.start is None):
            raise field_error(
                "unless_start",
                "unless_start vetoes a heading: give it with start and line",
            )
        if self.distinct and (self.line is None or self.start is not None):
            raise field_error(
                "distinct", "distinct ends a run of line matches: give it with line alone"
            )
        if self.bridge is not None and (self.line is None or self.start is not None):
            raise field_error(
                "bridge", "bridge joins runs of line matches: give it with line alone"
            )
        # A field the chosen form does not read is a mistake to report, not to ignore.
        if self.line is None and "min_run" in self.model_fields_set:
            raise field_error("min_run", "min_run counts line matches: give it with line")
        shaping = sorted(self.model_fields_set & {"block_lines", "min_blocks"})
        if self.line is not None and shaping:
            raise field_error(
                shaping[0],
                "block_lines and min_blocks shape start blocks: give them with start alone",
            )
        return self


class _PageHeaderRule(_RuleBase):
    """A kind that finds the page header itself, from where the article's running text
    starts: it takes no ``where``."""

    # What running text means, as for ``where: {after_prose: N}``.
    prose_words: PositiveInt = 15
    # The first line (the HTML title) goes too when it carries more than the headline
    # printed below it ("Headline - Site", "Section | Headline"): the headline stays once.
    drop_title: bool = True

    @field_validator("where")
    @classmethod
    def _unscoped(cls, value: Where | None) -> Where | None:
        if value is not None:
            kind = get_args(cls.model_fields["kind"].annotation)[0]
            raise ValueError(f"{kind} rules take no where: they find their own span")
        return value


class TitleEchoRule(_PageHeaderRule):
    """The page header between a page's first line (its title) and the title's repeat as
    the headline right above the article's running text (see
    ``dedup.ruleset.layout.title_echo_lines``). Scraped pages print the HTML title first,
    then the site's menus and teasers, then the headline, byline and text."""

    kind: Literal["title_echo"]
    # A first line, or part of it, shorter than this or of fewer words is no title to look
    # for: "Home", or a site name ("The New York Times") that may stand again as a credit
    # line above the text, with the real headline and lead between. Words are counted as
    # for running text (``has_words``: long words and unspaced scripts count more).
    min_chars: PositiveInt = 15
    min_words: PositiveInt = 5
    # The article's running text starts at most this many lines below the repeat.
    body_within: PositiveInt = 12


class HeaderAboveRule(_Matcher, _PageHeaderRule):
    """The page header above the headline, found from below: the rule's line test finds an
    anchor (a byline, a dateline) with the article's running text right under it, and the
    headline just above it by its words, mostly the title's; the lines between the page's
    first line and the headline go (see
    ``dedup.ruleset.layout.header_above_lines``). For pages whose headline is not their
    title's repeat, which ``title_echo`` needs."""

    kind: Literal["header_above"]
    # Lines over the anchor where the headline is looked for (standfirst, author lines).
    search_above: Annotated[int, Field(ge=1, le=12)] = 5
    # The headline: at least this many distinct words, and this share of them in the title.
    min_words: PositiveInt = 4
    overlap: Annotated[float, Field(gt=0, le=1)] = 0.6
    # The article's running text starts at most this many lines below the anchor.
    body_within: PositiveInt = 6
    # Fewer lines between the first line and the headline are left: a lead, a caption.
    min_lines: PositiveInt = 2


Rule = Annotated[
    DropRule | CutAfterRule | StripRule | DropRunRule | TitleEchoRule | HeaderAboveRule,
    Field(discriminator="kind"),
]


class PackModel(_Strict):
    """One YAML file."""

    pack: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    description: str = ""
    priority: int = 0
    applies_to: AppliesTo
    rules: list[Rule] = Field(default_factory=list)


def _kinds() -> frozenset[str]:
    members = get_args(get_args(Rule)[0])  # Annotated[A | B | ..., Field] -> (A, B, ...)
    return frozenset(get_args(m.model_fields["kind"].annotation)[0] for m in members)


# Every ``kind:`` a rule may have.
RULE_KINDS = _kinds()
