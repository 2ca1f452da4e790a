"""The interchange formats of docs/domain.md §8: columns, accepted values, and the validation of one row.

One row validator serves the CSV importers and the JSON API, so a ticket is accepted or refused for
the same reasons whichever way it arrives. A row is a mapping of column code -> raw text; the
validator returns the cleaned values and a list of ``RowError`` (never raises for bad data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kind, Source, Urgency
from jxq_cases.lib import clock

# A received or visit time further in the future than this is a data error, not clock skew.
FUTURE_TOLERANCE = timedelta(hours=1)
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Column:
    code: str  # the English header and the field name of the JSON API
    header_zh: str  # the Chinese header of the upstream exports
    required: bool
    max_length: int | None = None


TICKET_COLUMNS = [
    Column("ticket_no", "工单编号", True, 64),
    Column("source", "来源", True),
    Column("received_at", "受理时间", True),
    Column("kind", "诉求类型", True),
    Column("category", "问题分类", False, 100),
    Column("content", "诉求内容", True),
    Column("complainant_name", "诉求人", False, 100),
    Column("complainant_phone", "联系电话", False, 40),
    Column("address", "诉求地址", False, 255),
    Column("community", "所属社区", False, 100),
    Column("urgency", "紧急程度", False),
]

VISIT_COLUMNS = [
    Column("ticket_no", "工单编号", True, 64),
    Column("visited_at", "回访时间", True),
    Column("counted", "纳入考评", True),
    Column("contacted", "响应", True),
    Column("resolved", "解决", True),
    Column("satisfied", "满意", True),
]

# English codes (any case) and Chinese labels, as docs/domain.md §8 lists them.
SOURCE_VALUES = {"city": Source.CITY, "市级直派": Source.CITY, "district": Source.DISTRICT, "区级转派": Source.DISTRICT}
KIND_VALUES = {
    "consult": Kind.CONSULT,
    "咨询": Kind.CONSULT,
    "help": Kind.HELP,
    "求助": Kind.HELP,
    "complaint": Kind.COMPLAINT,
    "投诉": Kind.COMPLAINT,
    "report": Kind.REPORT,
    "举报": Kind.REPORT,
    "suggestion": Kind.SUGGESTION,
    "建议": Kind.SUGGESTION,
}
URGENCY_VALUES = {"normal": Urgency.NORMAL, "一般": Urgency.NORMAL, "urgent": Urgency.URGENT, "紧急": Urgency.URGENT}
BOOL_VALUES = {
    "yes": True,
    "是": True,
    "true": True,
    "1": True,
    "no": False,
    "否": False,
    "false": False,
    "0": False,
}

# Excel on Chinese Windows rewrites "2023-03-21 07:46" as "2023/3/21 7:46" when a file is re-saved;
# both the dashed and the slashed form are accepted, with or without seconds.
_LOCAL_DATETIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
MAX_VALUE_IN_ERROR = 100


@dataclass(frozen=True)
class RowError:
    """One reason a row is refused, as the user needs it to fix the file."""

    row: int | None  # the row number a spreadsheet shows (the header is row 1); None for JSON
    column: str
    value: str
    reason: str
    line: int | None = None  # the physical line the row starts on, for faults of the file's structure

    def as_dict(self) -> dict:
        value = self.value if len(self.value) <= MAX_VALUE_IN_ERROR else self.value[:MAX_VALUE_IN_ERROR] + "…"
        body = {"column": self.column, "value": value, "reason": str(self.reason)}
        if self.line is not None:
            body = {"line": self.line, **body}
        if self.row is not None:
            body = {"row": self.row, **body}
        return body

    def __str__(self) -> str:
        if self.row is not None and self.line is not None:
            where = _("row %(row)s (line %(line)s), ") % {"row": self.row, "line": self.line}
        elif self.row is not None:
            where = _("row %(row)s, ") % {"row": self.row}
        else:
            where = ""
        value = self.as_dict()["value"]
        return _('%(where)scolumn %(column)s, value "%(value)s": %(reason)s') % {
            "where": where,
            "column": self.column,
            "value": value,
            "reason": self.reason,
        }


def parse_datetime_value(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (also with slashes) or ISO 8601; a time without offset is Beijing time."""
    match = _LOCAL_DATETIME.match(text)
    if match:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        value = clock.at_local(date(year, month, day), time(hour, minute, second))
    else:
        value = datetime.fromisoformat(text)  # ISO 8601, with or without offset
        if len(text) <= 10:
            raise ValueError("a date without a time")
    return clock.assume_local(value)


class RowValidator:
    """Validates rows of one kind (tickets or visits) against the organisation as it is now.

    Built once per import: it loads the community names once, so validating a row touches no database.
    """

    def __init__(self, columns: list[Column], *, now: datetime | None = None, street=None):
        from org.models import Unit, UnitKind

        self.columns = {column.code: column for column in columns}
        # the street's communities by name; another street's community is refused by name (a
        # community of that name may exist in several streets: docs/district.md)
        communities = Unit.objects.filter(kind=UnitKind.COMMUNITY)
        if street is not None:
            self.communities = dict(communities.filter(street=street).values_list("name", "id"))
            self.elsewhere = dict(communities.exclude(street=street).values_list("name", "street__name"))
        else:
            self.communities = dict(communities.values_list("name", "id"))
            self.elsewhere = {}
        self.latest_allowed = (now or timezone.now()) + FUTURE_TOLERANCE
        flag = partial(_choice, BOOL_VALUES, "yes/no · 是/否 · true/false · 1/0")
        self.cleaners = {
            "ticket_no": _as_is,
            "received_at": self._moment,
            "visited_at": self._moment,
            "source": partial(_choice, SOURCE_VALUES, "city / district · 市级直派 / 区级转派"),
            "kind": partial(
                _choice, KIND_VALUES, "consult/help/complaint/report/suggestion · 咨询/求助/投诉/举报/建议"
            ),
            "urgency": partial(_choice, URGENCY_VALUES, "normal/urgent · 一般/紧急"),
            "category": _or_none,
            # stored exactly as sent: HTML and script are text here, escaped when a page shows them
            "content": _verbatim,
            "complainant_name": _as_is,
            "complainant_phone": _as_is,
            "address": _as_is,
            "community": self._community,
            "counted": flag,
            "contacted": flag,
            "resolved": flag,
            "satisfied": flag,
        }

    def validate(self, raw: dict[str, str], row: int | None) -> tuple[dict, list[RowError]]:
        """Return (clean values by column code, errors). Columns absent from ``raw`` are left out."""
        clean: dict = {}
        errors: list[RowError] = []
        for code, text in raw.items():
            column = self.columns.get(code)
            if column is None:
                continue
            value = text.strip()
            if not value:
                if column.required:
                    errors.append(RowError(row, code, text, _("is required")))
                    continue
            elif column.max_length and len(value) > column.max_length:
                errors.append(
                    RowError(row, code, text, _("is longer than %(n)d characters") % {"n": column.max_length})
                )
                continue
            try:
                clean[code] = self.cleaners[code](value, text)
            except ValueError as exc:
                errors.append(RowError(row, code, text, str(exc)))
        return clean, errors

    def _moment(self, value: str, text: str) -> datetime:
        try:
            moment = parse_datetime_value(value)
        except ValueError:
            raise ValueError(_("is not a date and time (expected YYYY-MM-DD HH:MM[:SS] or ISO 8601)")) from None
        if moment.year < EARLIEST_YEAR:
            raise ValueError(_("is before %(year)d") % {"year": EARLIEST_YEAR})
        if moment > self.latest_allowed:
            raise ValueError(_("is in the future"))
        return moment.astimezone(UTC)

    def _community(self, value: str, text: str) -> int | None:
        if not value:
            return None
        try:
            return self.communities[value]
        except KeyError:
            if value in self.elsewhere:
                raise ValueError(
                    _("is a community of %(street)s, not of this street") % {"street": self.elsewhere[value]}
                ) from None
            raise ValueError(_("is not a community of the street")) from None


def _as_is(value: str, text: str) -> str:
    return value


def _or_none(value: str, text: str) -> str | None:
    return value or None


def _verbatim(value: str, text: str) -> str:
    return text


def _choice(values: dict, accepted: str, value: str, text: str):
    """An English code (any case) or a Chinese label; an empty optional value is the first choice's default."""
    found = values.get(value)
    if found is None:
        found = values.get(value.lower())
    if found is None:
        if not value and values is URGENCY_VALUES:
            return Urgency.NORMAL
        raise ValueError(_("is not one of %(accepted)s") % {"accepted": accepted})
    return found
