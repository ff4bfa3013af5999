"""``governance.yaml`` -> validated pydantic models, with errors that name key path and line.

The file is read with ``yaml.safe_load`` (so tags such as ``!!python/object`` are refused) and
composed a second time to learn the line of every key. Structural checks are pydantic's; the
checks that need the whole file (unknown references, reporting cycles, duplicate names, invalid
recurrence rules) follow. Any problem rejects the whole file with one line per mistake, for
example ``bodies[3].reports_to: unknown body 'SEND Ops Board' (line 41)``. Writing the result to
the database lives in ``tracker.services.governance``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tracker.calendar import (
    CalendarError,
    CycleDates,
    cycle_dates,
    expand_meeting_dates,
    list_non_working_days,
)
from tracker.clock import use_partnership_zone
from tracker.errors import ConfigurationError
from tracker.models import Role, Tier
from tracker.safety.yaml_limits import (
    MAX_YAML_BYTES,
    find_duplicate_keys,
    find_yaml_limit_problem,
)
from tracker.strategy import load_strategy

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")

Loc = tuple[str | int, ...]


class GovernanceError(ConfigurationError):
    """A governance file that cannot be used; ``problems`` holds one message per mistake."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {p}" for p in self.problems)


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"time must look like HH:MM, not {value!r}") from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnershipConfig(_Strict):
    name: str = Field(min_length=1)
    short_name: str | None = None
    strategy: str | None = None
    contact_name: str = "the SEND programme office"
    contact_email: EmailStr
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        # Every time the tracker shows, and every schedule it keeps, is in this zone.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/London"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The partnership's time zone: the one every time is shown and scheduled in."""
        return ZoneInfo(self.timezone)


class OrganisationConfig(_Strict):
    name: str = Field(min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=60)
    kind: Literal["council", "nhs", "forum", "provider", "other"] = "other"
    aliases: list[str] = Field(default_factory=list)


class PersonConfig(_Strict):
    # Lengths as the database columns; EmailStr holds an address to RFC 5321's 254 characters.
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    organisation: str | None = None
    job_title: str | None = Field(default=None, max_length=200)
    roles: list[Role] = Field(default_factory=list)
    active: bool = True


class CalendarConfig(_Strict):
    dates: list[date] = Field(default_factory=list)
    rrule: str | None = None
    start: date | None = None
    until: date | None = None
    # Dates the rule produces that are not meetings (a bank holiday, a cancelled meeting).
    exclude: list[date] = Field(default_factory=list)


class PaperConfig(_Strict):
    level: Literal["action", "workstream", "strategic"] = "action"
    purpose: Literal["noting", "assurance", "decision"] = "noting"
    marking: str = "OFFICIAL"
    author_role: str | None = None
    report_of: str | None = None
    title: str | None = None
    sections: list[str] | None = None
    template: str | None = None
    # "all" reports on every action; "cascade" only on actions overseen by this body or below it.
    scope: Literal["all", "cascade"] = "all"


class BodyConfig(_Strict):
    key: Annotated[str, Field(pattern=KEY.pattern, max_length=80)]
    name: str = Field(min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=60)
    tier: Tier
    organisation: str | None = None
    reports_to: str | None = None
    also_reports_to: list[str] = Field(default_factory=list)
    secretary: EmailStr | None = None
    chair: EmailStr | None = None
    description: str | None = None
    paper_deadline_working_days: int = Field(default=5, ge=0, le=40)
    update_window_working_days: int = Field(default=10, ge=0, le=60)
    calendar: CalendarConfig | None = None
    paper: PaperConfig | None = None


class WorkstreamConfig(_Strict):
    key: Annotated[str, Field(pattern=KEY.pattern, max_length=80)]
    name: str = Field(min_length=1, max_length=200)
    lead_role: str | None = Field(default=None, max_length=200)
    lead: EmailStr | None = None
    reports_to: str | None = None


class RagConfig(_Strict):
    code: Literal["blue", "green", "amber", "red"]
    label: str = Field(min_length=1)
    colour: str
    definition: str = Field(min_length=1)

    @field_validator("colour")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError(f"colour must look like #RRGGBB, not {value!r}")
        return value.upper()


def _hex_colours(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    for value in values:
        if not HEX_COLOUR.match(value):
            raise ValueError(f"colours must look like #RRGGBB, not {value!r}")
    return [value.upper() for value in values]


class RagFillColoursConfig(_Strict):
    """How the plan import reads a RAG rating from a cell's fill colour when no words are
    typed: the nearest listed colour within ``tolerance`` (a "redmean" RGB distance, 0 to
    about 765). A code left out keeps the importer's defaults (Excel's standard and theme
    colours and tints); white, greys and black are never a rating."""

    tolerance: float = Field(default=70, ge=0, le=765)
    blue: list[str] | None = None
    green: list[str] | None = None
    amber: list[str] | None = None
    red: list[str] | None = None

    @field_validator("blue", "green", "amber", "red")
    @classmethod
    def _colours(cls, value: list[str] | None) -> list[str] | None:
        return _hex_colours(value)

    def listed(self) -> dict[str, list[str]]:
        """RAG code -> the colours this file lists for it (codes it leaves out are absent)."""
        lists = {"blue": self.blue, "green": self.green, "amber": self.amber, "red": self.red}
        return {code: colours for code, colours in lists.items() if colours is not None}


class ImpactRatingConfig(_Strict):
    """One word of the impact scale, e.g. "Early signs": what an update says changed."""

    key: str = Field(pattern=KEY.pattern, max_length=40)
    label: str = Field(min_length=1, max_length=60)
    definition: str = Field(min_length=1, max_length=500)
    # Whether this rating shows impact evident to families: an action delivered (complete or
    # Blue) whose latest impact rating does not count is an exception for the board.
    evident: bool = False


class ImpactVoiceConfig(_Strict):
    """Whose voice an update's evidence of impact reflects, e.g. families or data."""

    key: str = Field(pattern=KEY.pattern, max_length=40)
    label: str = Field(min_length=1, max_length=60)


def _default_impact_ratings() -> list[ImpactRatingConfig]:
    return [
        ImpactRatingConfig(
            key="evident",
            label="Impact evident",
            definition="Children, young people or families can say what is different, and "
            "the evidence shows it.",
            evident=True,
        ),
        ImpactRatingConfig(
            key="early_signs",
            label="Early signs",
            definition="First signs of a difference for families; not yet sustained or widespread.",
        ),
        ImpactRatingConfig(
            key="not_yet_evident",
            label="Not yet evident",
            definition="Delivered or under way, but no difference is yet seen by families.",
        ),
        ImpactRatingConfig(
            key="too_early",
            label="Too early to say",
            definition="Too soon after delivery for any difference to be seen.",
        ),
    ]


def _default_impact_voices() -> list[ImpactVoiceConfig]:
    return [
        ImpactVoiceConfig(key="families", label="Families"),
        ImpactVoiceConfig(key="children_young_people", label="Children and young people"),
        ImpactVoiceConfig(key="practitioners", label="Practitioners"),
        ImpactVoiceConfig(key="data", label="Data"),
    ]


class ImpactConfig(_Strict):
    """The impact scale an update is rated on (apart from delivery RAG) and the voices its
    evidence may reflect. Ratings are listed strongest first; at least one must count as
    evident."""

    ratings: list[ImpactRatingConfig] = Field(
        default_factory=_default_impact_ratings, min_length=1, max_length=10
    )
    voices: list[ImpactVoiceConfig] = Field(
        default_factory=_default_impact_voices, min_length=1, max_length=12
    )

    @model_validator(mode="after")
    def _one_evident(self) -> ImpactConfig:
        if not any(rating.evident for rating in self.ratings):
            raise ValueError("at least one impact rating must have evident: true")
        return self

    def rating(self, key: str | None) -> ImpactRatingConfig | None:
        return next((r for r in self.ratings if r.key == key), None)

    def rating_label(self, key: str | None) -> str:
        """The rating's words; a key no longer on the scale is shown as stored."""
        if not key:
            return "Not reported"
        found = self.rating(key)
        return found.label if found else key

    def is_evident(self, key: str | None) -> bool:
        found = self.rating(key)
        return found is not None and found.evident

    def evident_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.ratings if r.evident)

    def voice_label(self, key: str) -> str:
        found = next((v for v in self.voices if v.key == key), None)
        return found.label if found else key

    def find_rating(self, text: str) -> ImpactRatingConfig | None:
        """The rating whose key or words are ``text`` (any case), for imports and commands."""
        wanted = text.strip().casefold()
        return next(
            (r for r in self.ratings if wanted in {r.key.casefold(), r.label.casefold()}), None
        )

    def find_voice(self, text: str) -> ImpactVoiceConfig | None:
        wanted = text.strip().casefold()
        return next(
            (v for v in self.voices if wanted in {v.key.casefold(), v.label.casefold()}), None
        )


class RiskBandConfig(_Strict):
    """One band of risk scores (likelihood x impact), e.g. 10-15 "High"."""

    name: str = Field(min_length=1, max_length=40)
    low: int = Field(ge=1, le=25)
    high: int = Field(ge=1, le=25)
    colour: str

    @field_validator("colour")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError(f"colour must look like #RRGGBB, not {value!r}")
        return value.upper()


def _default_bands() -> list[RiskBandConfig]:
    return [
        RiskBandConfig(name="Low", low=1, high=4, colour="#70AD47"),
        RiskBandConfig(name="Moderate", low=5, high=9, colour="#FFC000"),
        RiskBandConfig(name="High", low=10, high=15, colour="#ED7D31"),
        RiskBandConfig(name="Very high", low=16, high=25, colour="#C00000"),
    ]


class RiskScaleConfig(_Strict):
    """The 5 x 5 risk scale: the words for likelihood 1-5 and impact 1-5, and the score bands.

    The bands must cover every score from 1 to 25 once, in order.
    """

    likelihood: list[str] = Field(
        default_factory=lambda: ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
        min_length=5,
        max_length=5,
    )
    impact: list[str] = Field(
        default_factory=lambda: ["Negligible", "Minor", "Moderate", "Major", "Severe"],
        min_length=5,
        max_length=5,
    )
    bands: list[RiskBandConfig] = Field(default_factory=_default_bands, min_length=1)
    # A new risk is reviewed this often unless it says otherwise.
    default_review_days: int = Field(default=30, ge=1, le=366)

    @model_validator(mode="after")
    def _bands_cover_1_to_25(self) -> RiskScaleConfig:
        expected = 1
        for band in self.bands:
            if band.low != expected or band.high < band.low:
                raise ValueError(
                    f"risk bands must run from 1 to 25 without gaps or overlaps: band "
                    f"{band.name!r} ({band.low}-{band.high}) should start at {expected}"
                )
            expected = band.high + 1
        if expected != 26:
            raise ValueError(f"risk bands must end at 25, not {expected - 1}")
        return self


class AreaConfig(_Strict):
    """A local authority or region as the published statistics name it."""

    code: str = Field(pattern=r"^E\d{8}$")  # the ONS code: E10000017, E12000002
    name: str = Field(min_length=1, max_length=120)
    old_code: str | None = Field(default=None, pattern=r"^\d{3}$")  # DfE's old LA code: 888


class IndicatorMapping(_Strict):
    """Which column of which published data set gives a success measure its comparators."""

    measure: str = Field(min_length=1, max_length=20)  # M2.3
    publication: str = Field(min_length=1, max_length=200)
    dataset: str = Field(min_length=1, max_length=200)
    indicator: str = Field(min_length=1, max_length=80)  # the CSV column
    # Columns a row must match (e.g. breakdown: All EHC plans); time_identifier says the period.
    filters: dict[str, str] = Field(default_factory=dict)


class ComparatorsConfig(_Strict):
    """National comparators from Explore Education Statistics (EES) open-data CSV files."""

    local_authority: AreaConfig | None = None
    region: AreaConfig | None = None
    # Statistical neighbours: other local authorities shown beside the partnership's figure.
    neighbours: list[AreaConfig] = Field(default_factory=list)
    mappings: list[IndicatorMapping] = Field(default_factory=list)


class MeasureSignOffConfig(_Strict):
    """Who signs off one measure's values, beside its owner."""

    measure: str = Field(pattern=r"^M\d+\.\d+$")  # M2.3
    # The e-mail of a person listed under people: who may sign values off (as may the owner).
    performance_lead: EmailStr | None = None
    # True: the person who entered (or last corrected) a value cannot also sign it off.
    two_person_sign_off: bool | None = None


class MeasuresConfig(_Strict):
    """Signing off success-measure values, and when a measure counts as stale."""

    # Days after a period ends before its missing value makes the measure stale.
    reporting_lag_days: int = Field(default=30, ge=0, le=400)
    # Defaults for every measure; a measure listed under sign_off overrides them.
    performance_lead: EmailStr | None = None
    two_person_sign_off: bool = False
    sign_off: list[MeasureSignOffConfig] = Field(default_factory=list)

    def for_measure(self, reference: str) -> tuple[str | None, bool]:
        """(performance lead e-mail or None, two-person sign-off) for one measure."""
        lead = None if self.performance_lead is None else str(self.performance_lead).lower()
        two = self.two_person_sign_off
        for entry in self.sign_off:
            if entry.measure.casefold() == reference.strip().casefold():
                if entry.performance_lead is not None:
                    lead = str(entry.performance_lead).lower()
                if entry.two_person_sign_off is not None:
                    two = entry.two_person_sign_off
        return lead, two


class ReminderRule(_Strict):
    enabled: bool = True
    working_days_before_deadline: int = Field(default=2, ge=0, le=30)
    working_days_after_deadline: int = Field(default=1, ge=0, le=30)
    day_of_week: Literal["mon", "tue", "wed", "thu", "fri"] = "mon"
    time: str | None = None

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            parsed = _parse_time(value)
            if time(1) <= parsed < time(3):
                raise ValueError("no reminders between 01:00 and 03:00 (maintenance window)")
        return value


class RiskReviewRule(_Strict):
    """Risk owners reminded when a risk's review falls due, then chased while it is overdue."""

    enabled: bool = True
    days_before_review: int = Field(default=0, ge=0, le=30)
    repeat_every_days: int = Field(default=7, ge=1, le=90)


class RemindersConfig(_Strict):
    update_request: ReminderRule = ReminderRule()
    chaser: ReminderRule = ReminderRule(working_days_before_deadline=2)
    escalation: ReminderRule = ReminderRule(working_days_after_deadline=1)
    weekly_digest: ReminderRule = ReminderRule(time="08:00")
    paper_ready: ReminderRule = ReminderRule(working_days_after_deadline=0)
    risk_review: RiskReviewRule = RiskReviewRule()


class UpdateCycleConfig(_Strict):
    default_cycle_days: int = Field(default=42, ge=1, le=366)
    send_time: str = "07:30"
    reminders: RemindersConfig = RemindersConfig()

    @field_validator("send_time")
    @classmethod
    def _send_time(cls, value: str) -> str:
        parsed = _parse_time(value)
        if time(1) <= parsed < time(3):
            raise ValueError("no reminders between 01:00 and 03:00 (maintenance window)")
        return value


HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s<>\"]*)?$")


class PublicContactConfig(_Strict):
    """How the public reach the partnership: a web page (form) or an organisational mailbox,
    and for the accessibility statement a telephone number too.

    The public site never names a person, so ``email`` must be a shared mailbox: an address
    listed under ``people:`` is a person's and is refused (and, when publishing, so is the
    address of any person in the database)."""

    url: str | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^[0-9 +()-]{6,30}$")

    @field_validator("url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not HTTPS_URL.match(value):
            raise ValueError(f"url must be an https:// web address, not {value!r}")
        return value

    @model_validator(mode="after")
    def _some_route(self) -> PublicContactConfig:
        if self.url is None and self.email is None:
            raise ValueError("give a url (a web page or form) or an email (a shared mailbox)")
        return self


class ApprovalRule(_Strict):
    """Whether an item needs approving before it goes out, and which role approves it."""

    required: bool = True
    role: Role = Role.ADMINISTRATOR


class PublishingApprovalConfig(_Strict):
    update_summaries: ApprovalRule = ApprovalRule()
    measure_values: ApprovalRule = ApprovalRule()
    feedback: ApprovalRule = ApprovalRule()


class AccessibilityConfig(_Strict):
    """What the site's accessibility statement (the GOV.UK model) needs to say."""

    contact: PublicContactConfig
    # Working days within which the partnership answers a request for another format.
    response_days: int = Field(default=5, ge=1, le=30)
    prepared_on: date
    reviewed_on: date | None = None

    @model_validator(mode="after")
    def _reviewed_after_prepared(self) -> AccessibilityConfig:
        if self.reviewed_on is not None and self.reviewed_on < self.prepared_on:
            raise ValueError("reviewed_on cannot be before prepared_on")
        return self


class PublishingConfig(_Strict):
    """The public progress site (``tracker publish DIR``, the Publish page)."""

    site_title: str = Field(min_length=1, max_length=120)
    # Who runs the site, as the accessibility statement names it (the partnership by default).
    run_by: str | None = Field(default=None, max_length=200)
    feedback: PublicContactConfig
    accessibility: AccessibilityConfig
    approval: PublishingApprovalConfig = PublishingApprovalConfig()
    # A body key: the scheduler republishes the site the working day after each of its
    # meetings (None: publish by hand only).
    republish_after_meetings_of: str | None = None
    # Whose meeting dates the site lists (body keys); none listed: every oversight body's.
    meetings_of: list[str] = Field(default_factory=list)


class GovernanceConfig(_Strict):
    partnership: PartnershipConfig
    organisations: list[OrganisationConfig] = Field(min_length=1)
    people: list[PersonConfig] = Field(default_factory=list)
    bodies: list[BodyConfig] = Field(min_length=1)
    workstreams: list[WorkstreamConfig] = Field(default_factory=list)
    rag: list[RagConfig] = Field(min_length=4, max_length=4)
    rag_fill_colours: RagFillColoursConfig = RagFillColoursConfig()
    impact: ImpactConfig = ImpactConfig()
    risks: RiskScaleConfig = RiskScaleConfig()
    comparators: ComparatorsConfig = ComparatorsConfig()
    measures: MeasuresConfig = MeasuresConfig()
    update_cycle: UpdateCycleConfig = UpdateCycleConfig()
    publishing: PublishingConfig | None = None

    # --- lookups used by the loader, the services and the papers ----------------------------
    def find_body(self, ref: str) -> BodyConfig | None:
        wanted = ref.strip().casefold()
        for body in self.bodies:
            names = {body.key, body.name, body.short_name or ""}
            if wanted in {n.casefold() for n in names if n}:
                return body
        return None

    def find_organisation(self, ref: str) -> OrganisationConfig | None:
        wanted = ref.strip().casefold()
        for org in self.organisations:
            names = {org.name, org.short_name or "", *org.aliases}
            if wanted in {n.casefold() for n in names if n}:
                return org
        return None

    def rag_by_code(self) -> dict[str, RagConfig]:
        return {entry.code: entry for entry in self.rag}

    def meeting_cycles(self, body: BodyConfig) -> list[CycleDates]:
        """Every meeting of ``body`` with its paper deadline and update-window opening."""
        if body.calendar is None:
            return []
        dates = expand_meeting_dates(
            dates=body.calendar.dates,
            rrule=body.calendar.rrule,
            start=body.calendar.start,
            until=body.calendar.until,
        )
        excluded = set(body.calendar.exclude)
        return [
            cycle_dates(
                board=body.name,
                meeting=day,
                paper_deadline_working_days=body.paper_deadline_working_days,
                update_window_working_days=body.update_window_working_days,
            )
            for day in dates
            if day not in excluded
        ]


# --- reading the file -----------------------------------------------------------------------


def _line_index(text: str) -> dict[Loc, int]:
    """Map every key path in the document to its 1-based line."""
    lines: dict[Loc, int] = {}

    def walk(node: yaml.Node, path: Loc) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = (*path, str(key_node.value))
                lines[key_path] = key_node.start_mark.line + 1
                walk(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    """The parser's problem with its position, and where the construct it was in began.

    An unclosed bracket is only noticed lines later, so the opening line matters most.
    """

    def at(mark: yaml.Mark | None) -> str:
        return f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""

    problem = getattr(exc, "problem", None) or str(exc)
    text = f"{problem}{at(getattr(exc, 'problem_mark', None))}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        text = f"{context}{at(context_mark)}: {text}"
    return text


def _impossible_dates(text: str) -> list[str]:
    problems: list[str] = []

    def walk(node: yaml.Node, path: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                walk(value_node, (*path, str(key_node.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))
        elif node.tag == "tag:yaml.org,2002:timestamp":
            try:
                date.fromisoformat(str(node.value)[:10])
            except ValueError:
                line = node.start_mark.line + 1
                problems.append(
                    f"{format_loc(path)}: {node.value!r} is not a real date (line {line})"
                )

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return problems or ["the file contains a value that cannot be read"]


def format_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _message(lines: dict[Loc, int], loc: Loc, text: str) -> str:
    line = _line_of(lines, loc)
    suffix = f" (line {line})" if line else ""
    return f"{format_loc(loc)}: {text}{suffix}"


def parse_governance(text: str, *, source: str = "governance.yaml") -> GovernanceConfig:
    """Validate the text of a governance file; raise GovernanceError listing every mistake."""
    too_big = find_yaml_limit_problem(text)
    if too_big:
        raise GovernanceError(source, [too_big])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise GovernanceError(source, [f"not valid YAML: {_describe_yaml_error(exc)}"]) from None
    except ValueError:
        # PyYAML turns 2026-02-30 into a ValueError with no position: find and name it.
        raise GovernanceError(source, _impossible_dates(text)) from None
    if not isinstance(data, dict):
        raise GovernanceError(source, ["the file must be a mapping of sections (partnership:, …)"])
    duplicates = find_duplicate_keys(text)
    if duplicates:
        raise GovernanceError(source, duplicates)
    lines = _line_index(text)
    try:
        config = GovernanceConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            _message(lines, tuple(err["loc"]), _clean_pydantic(err["msg"])) for err in exc.errors()
        ]
        raise GovernanceError(source, problems) from None
    problems = [_message(lines, loc, text) for loc, text in _cross_check(config)]
    if problems:
        raise GovernanceError(source, problems)
    return config


def _clean_pydantic(message: str) -> str:
    return message.removeprefix("Value error, ")


def load_governance(path: Path) -> GovernanceConfig:
    """Read and validate a governance file from disk (refused unread when over 1 MB)."""
    try:
        with path.open("rb") as handle:
            # One byte past the limit is enough to know: a 60 MB file is never read whole.
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            size = max(path.stat().st_size, len(data))
            raise GovernanceError(
                str(path), [f"the file is {size:,} bytes; the limit is {MAX_YAML_BYTES:,} (1 MB)"]
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise GovernanceError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GovernanceError(str(path), [f"cannot be read: {exc}"]) from None
    config = parse_governance(text, source=str(path))
    # The file in force sets the zone every time is shown in (see tracker.clock).
    use_partnership_zone(config.partnership.zone)
    return config


# --- whole-file checks ----------------------------------------------------------------------


def _duplicates(values: Iterable[tuple[Loc, str]], what: str) -> list[tuple[Loc, str]]:
    seen: dict[str, Loc] = {}
    problems = []
    for loc, value in values:
        folded = value.strip().casefold()
        if folded in seen:
            first = format_loc(seen[folded])
            problems.append((loc, f"duplicate {what} {value!r} (also at {first})"))
        else:
            seen[folded] = loc
    return problems


def _cross_check(config: GovernanceConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    problems += _duplicates(
        [(("organisations", i, "name"), o.name) for i, o in enumerate(config.organisations)],
        "organisation",
    )
    problems += _duplicates(
        [(("people", i, "email"), str(p.email)) for i, p in enumerate(config.people)], "e-mail"
    )
    problems += _duplicates(
        [(("bodies", i, "key"), b.key) for i, b in enumerate(config.bodies)], "body key"
    )
    problems += _duplicates(
        [(("bodies", i, "name"), b.name) for i, b in enumerate(config.bodies)], "body name"
    )
    problems += _duplicates(
        [(("workstreams", i, "key"), w.key) for i, w in enumerate(config.workstreams)],
        "workstream key",
    )
    problems += _duplicates(
        [(("workstreams", i, "name"), w.name) for i, w in enumerate(config.workstreams)],
        "workstream name",
    )
    problems += _duplicates(
        [(("rag", i, "code"), r.code) for i, r in enumerate(config.rag)], "RAG code"
    )
    for what, entries in (("ratings", config.impact.ratings), ("voices", config.impact.voices)):
        singular = what.removesuffix("s")
        for attr in ("key", "label"):
            problems += _duplicates(
                [(("impact", what, i, attr), getattr(e, attr)) for i, e in enumerate(entries)],
                f"impact {singular} {attr}",
            )
    problems += _check_references(config)
    problems += _check_cycles(config)
    problems += _check_calendars(config)
    return problems


def _check_references(config: GovernanceConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    emails = {str(p.email).casefold() for p in config.people}

    def org(loc: Loc, ref: str | None) -> None:
        if ref is not None and config.find_organisation(ref) is None:
            problems.append((loc, f"unknown organisation {ref!r}"))

    def body(loc: Loc, ref: str | None) -> None:
        if ref is not None and config.find_body(ref) is None:
            problems.append((loc, f"unknown body {ref!r}"))

    def person(loc: Loc, ref: str | None) -> None:
        if ref is not None and ref.casefold() not in emails:
            problems.append((loc, f"unknown person {ref!r} (not listed under people:)"))

    for i, p in enumerate(config.people):
        org(("people", i, "organisation"), p.organisation)
    for i, b in enumerate(config.bodies):
        org(("bodies", i, "organisation"), b.organisation)
        body(("bodies", i, "reports_to"), b.reports_to)
        for j, other in enumerate(b.also_reports_to):
            body(("bodies", i, "also_reports_to", j), other)
        person(("bodies", i, "secretary"), None if b.secretary is None else str(b.secretary))
        person(("bodies", i, "chair"), None if b.chair is None else str(b.chair))
    for i, w in enumerate(config.workstreams):
        body(("workstreams", i, "reports_to"), w.reports_to)
        person(("workstreams", i, "lead"), None if w.lead is None else str(w.lead))
    lead = config.measures.performance_lead
    person(("measures", "performance_lead"), None if lead is None else str(lead))
    for i, entry in enumerate(config.measures.sign_off):
        lead = entry.performance_lead
        person(("measures", "sign_off", i, "performance_lead"), None if lead is None else str(lead))
    problems += _duplicates(
        [
            (("measures", "sign_off", i, "measure"), e.measure)
            for i, e in enumerate(config.measures.sign_off)
        ],
        "measure",
    )
    problems += _check_measure_references(config)
    problems += _check_comparator_areas(config.comparators)
    problems += _check_publishing(config, emails)
    return problems


def _check_publishing(config: GovernanceConfig, emails: set[str]) -> list[tuple[Loc, str]]:
    publishing = config.publishing
    if publishing is None:
        return []
    problems: list[tuple[Loc, str]] = []
    contacts: tuple[tuple[Loc, str | None], ...] = (
        (("publishing", "feedback", "email"), publishing.feedback.email),
        (
            ("publishing", "accessibility", "contact", "email"),
            publishing.accessibility.contact.email,
        ),
    )
    for loc, email in contacts:
        if email is not None and str(email).casefold() in emails:
            problems.append(
                (
                    loc,
                    f"{email} is a person's address (listed under people:); the public site "
                    "names no person: give a shared mailbox, or a url",
                )
            )
    refs: list[tuple[Loc, str | None]] = [
        (("publishing", "republish_after_meetings_of"), publishing.republish_after_meetings_of),
        *((("publishing", "meetings_of", i), key) for i, key in enumerate(publishing.meetings_of)),
    ]
    for loc, ref in refs:
        if ref is not None and config.find_body(ref) is None:
            problems.append((loc, f"unknown body {ref!r}"))
    return problems


# ONS codes: E06 unitary, E07 district, E08 metropolitan district, E09 London borough, E10
# county; E12 a region. DfE publishes SEND statistics for upper-tier authorities only.
_LA_CODE = re.compile(r"^E(06|08|09|10)\d{6}$")
_REGION_CODE = re.compile(r"^E12\d{6}$")


def _check_comparator_areas(comparators: ComparatorsConfig) -> list[tuple[Loc, str]]:
    """An LA code EES does not publish (a region's, a district's, a typo) finds no rows."""
    problems: list[tuple[Loc, str]] = []
    areas: list[tuple[Loc, AreaConfig]] = []
    if comparators.local_authority is not None:
        areas.append((("comparators", "local_authority", "code"), comparators.local_authority))
    areas += [
        (("comparators", "neighbours", i, "code"), n) for i, n in enumerate(comparators.neighbours)
    ]
    for loc, area in areas:
        if not _LA_CODE.match(area.code):
            problems.append(
                (
                    loc,
                    f"unknown local authority code {area.code!r} for {area.name}: EES publishes "
                    "SEND figures by upper-tier authority (E06, E08, E09 or E10 followed by "
                    "six digits, as new_la_code)",
                )
            )
    problems += _duplicates([(loc, a.code) for loc, a in areas], "local authority code")
    region = comparators.region
    if region is not None and not _REGION_CODE.match(region.code):
        problems.append(
            (
                ("comparators", "region", "code"),
                f"unknown region code {region.code!r}: a region's code is E12 followed by six "
                "digits (North West is E12000002)",
            )
        )
    return problems


def _check_measure_references(config: GovernanceConfig) -> list[tuple[Loc, str]]:
    """Measures named in the comparators and measures sections must be the strategy's."""
    known = {
        str(m.get("ref", "")).casefold()
        for p in load_strategy().get("priorities", [])
        for m in p.get("measures", [])
    }
    if not known:
        return []
    named: list[tuple[Loc, str]] = [
        (("comparators", "mappings", i, "measure"), m.measure)
        for i, m in enumerate(config.comparators.mappings)
    ]
    named += [
        (("measures", "sign_off", i, "measure"), e.measure)
        for i, e in enumerate(config.measures.sign_off)
    ]
    return [
        (loc, f"unknown measure {ref!r} (not one of the strategy's success measures)")
        for loc, ref in named
        if ref.casefold() not in known
    ]


def _check_cycles(config: GovernanceConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    parent = {}
    for b in config.bodies:
        target = config.find_body(b.reports_to) if b.reports_to else None
        parent[b.key] = target.key if target else None
    reported: set[frozenset[str]] = set()
    for i, b in enumerate(config.bodies):
        chain = [b.key]
        current = parent.get(b.key)
        while current is not None:
            if current in chain:
                cycle = [*chain[chain.index(current) :], current]
                names = " -> ".join(cycle)
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(
                        (("bodies", i, "reports_to"), f"reporting lines form a cycle: {names}")
                    )
                break
            chain.append(current)
            current = parent.get(current)
    return problems


def _check_calendars(config: GovernanceConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for i, b in enumerate(config.bodies):
        if b.calendar is None:
            continue
        try:
            cycles = config.meeting_cycles(b)
        except CalendarError as exc:
            problems.append((("bodies", i, "calendar"), str(exc)))
            cycles = []
        closed = list_non_working_days([c.meeting for c in cycles])
        if closed:
            days = ", ".join(d.isoformat() for d in closed)
            problems.append(
                (
                    ("bodies", i, "calendar"),
                    f"meetings fall on a weekend or bank holiday: {days} "
                    "(list them under calendar.exclude or move them)",
                )
            )
        if b.paper and b.paper.template and not b.paper.template.endswith(".docx"):
            problems.append((("bodies", i, "paper", "template"), "template must be a .docx file"))
    return problems


_CACHE: dict[Path, tuple[float, GovernanceConfig]] = {}


def current_governance(path: Path) -> GovernanceConfig:
    """The governance file in force, re-read only when the file changes on disk."""
    resolved = path.resolve()
    try:
        mtime = resolved.stat().st_mtime
    except OSError:
        raise GovernanceError(str(path), ["file not found"]) from None
    cached = _CACHE.get(resolved)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_governance(resolved))
        _CACHE[resolved] = cached
    use_partnership_zone(cached[1].partnership.zone)
    return cached[1]
