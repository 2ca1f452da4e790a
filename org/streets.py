"""Streets and districts as data (docs/district.md): the default street of a single-street
installation, adding a street with its units, and reading a unit list from a file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import District, Street, Unit, UnitKind
from org.units import CENTER_NAME, JIUXIANQIAO_COMMUNITIES, JIUXIANQIAO_DEPARTMENTS, load_jiuxianqiao_units


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str
    is_center: bool = False


def jiuxianqiao_units() -> list[UnitSpec]:
    """The Jiuxianqiao unit list (org/units.py): the default of a new street."""
    return [UnitSpec(name, UnitKind.DEPARTMENT, name == CENTER_NAME) for name in JIUXIANQIAO_DEPARTMENTS] + [
        UnitSpec(name, UnitKind.COMMUNITY) for name in JIUXIANQIAO_COMMUNITIES
    ]


KIND_WORDS = {
    "department": UnitKind.DEPARTMENT,
    "科室": UnitKind.DEPARTMENT,
    "部门": UnitKind.DEPARTMENT,
    "community": UnitKind.COMMUNITY,
    "社区": UnitKind.COMMUNITY,
}
CENTER_WORDS = {"center", "中心", "诉求中心", "yes", "1", "是"}


def read_unit_file(path: str | Path) -> list[UnitSpec]:
    """A unit list: UTF-8 CSV (BOM or not) with the columns ``name,kind[,center]``, one unit a row;
    kind is department/科室 or community/社区; the row whose center column says center/是/1 is the
    street's complaint center (exactly one). A bad file is refused whole, naming the line."""
    text = Path(path).read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    specs: list[UnitSpec] = []
    for line, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in {"name", "名称", "单位"}:
            continue  # header
        if len(cells) < 2 or not cells[0]:
            raise DomainError(ErrorCode.INVALID, f"line {line}: expected name,kind[,center]")
        kind = KIND_WORDS.get(cells[1].lower())
        if kind is None:
            raise DomainError(ErrorCode.INVALID, f"line {line}: unknown kind {cells[1]!r} (department or community)")
        is_center = len(cells) > 2 and cells[2].lower() in CENTER_WORDS
        specs.append(UnitSpec(cells[0], kind, is_center))
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DomainError(ErrorCode.INVALID, f"unit named twice: {', '.join(duplicates)}")
    if sum(spec.is_center for spec in specs) != 1:
        raise DomainError(ErrorCode.INVALID, "exactly one unit must be the complaint center (third column: center)")
    return specs


def add_street(name: str, district_name: str, units: list[UnitSpec] | None = None) -> Street:
    """Create a street in its district (created when new) with its units and its center; refuses a
    street that exists. All or nothing."""
    name, district_name = name.strip(), district_name.strip()
    if not name or not district_name:
        raise DomainError(ErrorCode.INVALID, "a street needs a name and a district")
    units = jiuxianqiao_units() if units is None else units
    if sum(spec.is_center for spec in units) != 1:
        raise DomainError(ErrorCode.INVALID, "exactly one unit must be the complaint center")
    with transaction.atomic():
        if Street.objects.filter(name=name).exists():
            raise DomainError(ErrorCode.CONFLICT, f"street {name!r} already exists")
        district, _ = District.objects.get_or_create(name=district_name)
        street = Street.objects.create(name=name, district=district)
        Unit.objects.bulk_create(
            Unit(street=street, name=spec.name, kind=spec.kind, is_center=spec.is_center, sort_order=order)
            for order, spec in enumerate(units)
        )
    return street


def default_street() -> Street:
    """The street of a single-street installation (REPORTING_STREET_NAME in REPORTING_DISTRICT_NAME),
    with the Jiuxianqiao units it lacks: what a fresh database gets from its migrations."""
    load_jiuxianqiao_units(Unit)
    return Street.objects.get(name=settings.REPORTING_STREET_NAME)


def only_street() -> Street | None:
    """The one street when the database has exactly one (the default of --street), else None."""
    streets = list(Street.objects.all()[:2])
    return streets[0] if len(streets) == 1 else None


def street_named(name: str | None) -> Street:
    """The street ``--street NAME`` names; without a name the only street, refused when there are several."""
    if name:
        street = Street.objects.filter(name=name.strip()).first()
        if street is None:
            raise DomainError(ErrorCode.INVALID, _("Unknown street %(name)s.") % {"name": name})
        return street
    street = only_street()
    if street is None:
        if not Street.objects.exists():
            raise DomainError(ErrorCode.INVALID, _("No street is set up yet: add one with manage.py add_street."))
        raise DomainError(ErrorCode.INVALID, _("This database holds several streets: name the street."))
    return street


DISTRICT_ROLE_NAMES = frozenset({"district_staff", "district_leader"})


def street_ids_of(user) -> set[int]:
    """The streets a person belongs to: their units' streets and their own (``User.street``); for a
    district role every street of their district. Cached on the user object (one query a request)."""
    cached = getattr(user, "_jxq_street_ids", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if user.role in DISTRICT_ROLE_NAMES:
        found = set(Street.objects.filter(district_id=user.district_id).values_list("id", flat=True))
    else:
        found = set(user.units.values_list("street_id", flat=True))
        if user.street_id is not None:
            found.add(user.street_id)
    user._jxq_street_ids = found
    return found


def intake_street(street: Street | str | None, actor=None) -> Street:
    """The street tickets or visits come in for (docs/district.md, "Intake"): the one named, else the
    actor's own street when they have exactly one, else the database's only street. A person bound to
    streets may bring nothing in for another street (403)."""
    bound = (street_ids_of(actor) or None) if actor is not None else None  # an administrator: unbound
    if street is None or street == "":
        if bound and len(bound) == 1:
            return Street.objects.get(pk=next(iter(bound)))
        return street_named(None)
    named = street if isinstance(street, Street) else street_named(street)
    if bound is not None and named.pk not in bound:
        raise DomainError(
            ErrorCode.FORBIDDEN, _("You may not bring tickets in for %(street)s.") % {"street": named.name}
        )
    return named
