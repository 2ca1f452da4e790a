"""Every ticket gets a place: its address resolved to a community, a grid cell and a point (docs/geography.md).

The street's gazetteer (``GazetteerEntry``) holds the addresses it knows: imported (``import_gazetteer``,
a CSV), learned from its own history (``learn_from_history``: the places confirmed on site or placed
by the center, and the community that handled an address's tickets), or placed once by the center
on the page of unresolved addresses. An address is matched through its key (``address_key``): the
address reduced to what identifies a place — full-width and Chinese numerals made digits, the
district and street prefixes, units, floors and rooms dropped, 号楼/栋/幢/座 and 号院/院 made one
spelling. Keys are compared exactly, then fuzzily (rapidfuzz) among the entries with the same
building and courtyard numbers, so a typo in a name matches but building 12 never becomes building
13. Two candidates in different places that score alike are not chosen between: the address stays
unresolved and is listed for the center, never guessed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from intake.address_keys import address_key, gazetteer
from intake.csv_reading import read_csv
from intake.formats import Column
from intake.models import GazetteerEntry, PlaceOrigin, Ticket
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.geography import has_geography, locate, locator
from org.models import GridCell, Street, Unit, UnitKind
from org.streets import street_named

# the gazetteer's address column (GazetteerEntry.address)
ADDRESS_CHARS = GazetteerEntry._meta.get_field("address").max_length or 255
# the columns of a gazetteer file, by their English or Chinese header
GAZETTEER_COLUMNS = [
    Column("address", "地址", True, ADDRESS_CHARS),
    Column("community", "社区", True),
    Column("grid", "网格", False),
    Column("lon", "经度", False),
    Column("lat", "纬度", False),
]


@dataclass
class PlacingResult:
    placed: int = 0
    unresolved: int = 0


class Placer:
    """The place of an address in a street, as a ticket stores it: (origin, community, grid cell,
    longitude, latitude); unresolved when the street's gazetteer knows no place for it (another
    street's entries never place it, docs/district.md). Each distinct address is looked up once."""

    UNRESOLVED = (PlaceOrigin.UNRESOLVED, None, None, None, None)

    def __init__(self) -> None:
        self.book = gazetteer()
        self.known: dict[tuple[int, str], tuple] = {}

    def place(self, street_id: int, address: str) -> tuple:
        found = self.known.get((street_id, address))
        if found is None:
            match = self.book.find(address_key(address), street_id)
            found = (
                self.UNRESOLVED
                if match is None
                else (match.ticket_origin, match.community_id, match.grid_cell_id, match.lon, match.lat)
            )
            self.known[(street_id, address)] = found
        return found


def place_tickets(tickets=None) -> PlacingResult:
    """Give the tickets not looked up yet (default: all of them) their place: each distinct address is
    resolved once and its tickets updated together. Tickets whose place was confirmed on site or by
    the center are never touched here."""
    queryset = (tickets if tickets is not None else Ticket.objects.all()).filter(place_origin=PlaceOrigin.PENDING)
    result = PlacingResult()
    by_address: dict[tuple[int, str], list[int]] = {}
    for pk, street_id, address in queryset.values_list("id", "street_id", "address").iterator(chunk_size=5000):
        by_address.setdefault((street_id, address), []).append(pk)
    if not by_address:
        return result
    placer = Placer()
    # one UPDATE per distinct place (and one for the unresolved), however many addresses lead there
    by_place: dict[tuple, list[int]] = {}
    for (street_id, address), ids in by_address.items():
        by_place.setdefault(placer.place(street_id, address), []).extend(ids)
    with transaction.atomic():
        for (origin, community_id, grid_cell_id, lon, lat), ids in by_place.items():
            for start in range(0, len(ids), 5000):
                changed = Ticket.objects.filter(
                    id__in=ids[start : start + 5000], place_origin=PlaceOrigin.PENDING
                ).update(
                    place_origin=origin,
                    place_community_id=community_id,
                    grid_cell_id=grid_cell_id,
                    place_lon=lon,
                    place_lat=lat,
                )
                if origin == PlaceOrigin.UNRESOLVED:
                    result.unresolved += changed
                else:
                    result.placed += changed
    return result


def retry_unresolved() -> PlacingResult:
    """Look the unresolved addresses up again (after a gazetteer import or a lesson from history)."""
    Ticket.objects.filter(place_origin=PlaceOrigin.UNRESOLVED).update(place_origin=PlaceOrigin.PENDING)
    return place_tickets()


# --- the gazetteer CSV ----------------------------------------------------------------------------


@dataclass
class GazetteerResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    placed: int = 0


def _refuse(problems: list[str]) -> DomainError:
    return DomainError(
        ErrorCode.INVALID,
        _("The gazetteer was not imported, nothing was changed: %(problems)s") % {"problems": "; ".join(problems[:20])},
        errors=[{"detail": p} for p in problems],
    )


def _check_point(
    lon_text: str, lat_text: str, grid: GridCell | None, community: Unit, locate_point
) -> tuple[float | None, float | None, str | None]:
    if not lon_text and not lat_text:
        return None, None, None
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        return None, None, _("lon and lat must be numbers")
    if abs(lat) > 90 and abs(lon) <= 90:
        return None, None, _("lon and lat are swapped (latitude first)")
    if locate_point is not None:
        where = locate_point(lon, lat)
        if not where.in_street:
            return None, None, _("the point (%(lon)s, %(lat)s) is outside the street") % {"lon": lon, "lat": lat}
        if where.community_id != community.pk:
            return None, None, _("the point lies in another community")
        if grid is not None and where.grid_cell_id != grid.pk:
            return None, None, _("the point lies outside grid cell %(code)s") % {"code": grid.code}
    return lon, lat, None


def import_gazetteer(
    source: str | Path | IO, *, origin: str = GazetteerEntry.Origin.IMPORTED, street: Street | str | None = None
) -> GazetteerResult:
    """The street's gazetteer from a CSV (address, community, grid, lon, lat; UTF-8 or GB18030), whole
    or not at all: every bad row is named. The grid and the point are optional; when given, the point
    must lie in the grid cell, the cell in the community. Tickets not yet placed are placed again.

    The communities are named within ``street`` (default: the only street; several streets: name
    it); the entries are that street's gazetteer, whatever other streets know (docs/district.md)."""
    street = street if isinstance(street, Street) else street_named(street)
    raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    # read as strictly as a ticket export (intake.csv_reading): a NUL, a quote left open or a cell over
    # the size limit refuses the file naming its line; a missing or doubled column refuses it too
    rows = read_csv(io.BytesIO(raw.encode("utf-8") if isinstance(raw, str) else raw), GAZETTEER_COLUMNS)
    communities = {u.name: u for u in Unit.objects.filter(kind=UnitKind.COMMUNITY, street=street)}
    cells = {c.code: c for c in GridCell.objects.filter(community__street=street)}
    locate_point = locator() if has_geography() else None
    problems: list[str] = []
    entries: dict[str, GazetteerEntry] = {}
    result = GazetteerResult()
    for number, raw_row, row_errors in rows:
        result.rows += 1
        where = _("line %(line)d") % {"line": number}
        if row_errors:  # the row's cells do not match the header
            problems.extend(f"{where}: {error.reason}" for error in row_errors)
            continue
        row = {code: value.strip() for code, value in raw_row.items()}
        address = row.get("address", "")
        key = address_key(address)
        if not key:
            problems.append(_("%(where)s: the address is empty") % {"where": where})
            continue
        if len(address) > ADDRESS_CHARS:
            problems.append(
                _("%(where)s: the address is longer than %(n)d characters") % {"where": where, "n": ADDRESS_CHARS}
            )
            continue
        community = communities.get(row.get("community", ""))
        if community is None:
            problems.append(
                _("%(where)s: “%(c)s” is not one of the street's communities")
                % {"where": where, "c": row.get("community", "")}
            )
            continue
        grid = None
        if row.get("grid"):
            grid = cells.get(row["grid"])
            if grid is None:
                problems.append(_("%(where)s: no grid cell %(code)s") % {"where": where, "code": row["grid"]})
                continue
            if grid.community_id != community.pk:
                problems.append(
                    _("%(where)s: grid cell %(code)s is not in %(c)s")
                    % {"where": where, "code": grid.code, "c": community.name}
                )
                continue
        lon, lat, problem = _check_point(row.get("lon", ""), row.get("lat", ""), grid, community, locate_point)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if key in entries:
            problems.append(
                _("%(where)s: the same address as an earlier line (%(key)s)") % {"where": where, "key": key}
            )
            continue
        entries[key] = GazetteerEntry(
            street=street,
            address=address,
            key=key,
            community=community,
            grid_cell=grid,
            lon=lon,
            lat=lat,
            origin=origin,
        )
    if not result.rows:
        problems.append(_("the file has no rows"))
    if problems:
        raise _refuse(problems)
    with transaction.atomic():
        existing = set(
            GazetteerEntry.objects.filter(street=street, key__in=list(entries)).values_list("key", flat=True)
        )
        GazetteerEntry.objects.bulk_create(
            entries.values(),
            update_conflicts=True,
            unique_fields=["street", "key"],
            update_fields=["address", "community", "grid_cell", "lon", "lat", "origin", "updated_at"],
        )
        result.updated = len(existing)
        result.created = len(entries) - result.updated
    result.placed = retry_unresolved().placed
    return result


def place_address(address: str, *, grid_cell: GridCell, lon: float | None = None, lat: float | None = None) -> int:
    """The center places an unresolved address once: the gazetteer learns it and every ticket with an
    address of the same key gets the place. The point defaults to the cell's centre; a point outside
    the cell is refused. Returns the number of tickets placed.

    The entry is the cell's street's, and only that street's tickets are placed (docs/district.md):
    another street's entry of the same address is its own and stays as it is."""
    key = address_key(address)
    if not key:
        raise DomainError(ErrorCode.INVALID, _("The address is empty."))
    if lon is None or lat is None:
        lon, lat = grid_cell.center_lon, grid_cell.center_lat
    else:
        where = locate(lon, lat)
        if not where.in_street:
            raise DomainError(ErrorCode.INVALID, _("The point is outside the street."))
        if where.grid_cell_id != grid_cell.pk:
            raise DomainError(
                ErrorCode.INVALID, _("The point is not inside grid cell %(code)s.") % {"code": grid_cell.code}
            )
    street_id = Unit.objects.filter(pk=grid_cell.community_id).values_list("street_id", flat=True).get()
    with transaction.atomic():
        GazetteerEntry.objects.update_or_create(
            street_id=street_id,
            key=key,
            defaults={
                "address": address[:ADDRESS_CHARS],
                "community_id": grid_cell.community_id,
                "grid_cell": grid_cell,
                "lon": lon,
                "lat": lat,
                "origin": GazetteerEntry.Origin.PLACED,
            },
        )
        unresolved = Ticket.objects.filter(place_origin=PlaceOrigin.UNRESOLVED, street_id=street_id)
        ids = [pk for pk, text in unresolved.values_list("id", "address") if address_key(text) == key]
        return Ticket.objects.filter(id__in=ids).update(
            place_origin=PlaceOrigin.CENTER,
            place_community_id=grid_cell.community_id,
            grid_cell=grid_cell,
            place_lon=lon,
            place_lat=lat,
        )


def unresolved_addresses(limit: int = 200, *, street_ids: set[int] | None = None) -> list[dict]:
    """The addresses the street could not place, one row per place (spellings with the same key
    together, shown by the most frequent one), most tickets first (the center's page); with
    ``street_ids``, those streets' tickets only."""
    tickets = Ticket.objects.filter(place_origin=PlaceOrigin.UNRESOLVED)
    if street_ids is not None:
        tickets = tickets.filter(street_id__in=street_ids)
    rows = (
        tickets.exclude(address="")
        .values("address")
        .annotate(tickets=Count("id"), latest=Max("received_at"))
        .order_by("-tickets", "-latest")
    )
    places: dict[str, dict] = {}
    for row in rows.iterator(chunk_size=2000):
        key = address_key(row["address"])
        place = places.get(key)
        if place is None:
            places[key] = {**row, "spellings": [row["address"]]}
        else:
            place["tickets"] += row["tickets"]
            place["latest"] = max(place["latest"], row["latest"])
            place["spellings"].append(row["address"])
    return sorted(places.values(), key=lambda p: (-p["tickets"], -p["latest"].timestamp()))[:limit]


# --- learned from the street's own history ---------------------------------------------------------


def learn_from_history() -> int:
    """Teach the gazetteer the addresses of earlier tickets: where tickets at an address were confirmed
    on site (the latest point wins), and — for addresses without a point — the community that handled
    all of its (at least two) tickets. Imported and placed entries are never overwritten. Returns the
    number of entries learned or refreshed; then the unresolved addresses are looked up again. Each
    street learns from its own tickets into its own gazetteer (docs/district.md)."""
    known = set(GazetteerEntry.objects.exclude(origin=GazetteerEntry.Origin.LEARNED).values_list("street_id", "key"))
    lessons: dict[tuple[int, str], dict] = {}
    confirmed = (
        Ticket.objects.filter(place_origin=PlaceOrigin.ON_SITE, grid_cell__isnull=False)
        .exclude(address="")
        .order_by("street_id", "address", "-updated_at")
        .values_list("street_id", "address", "grid_cell_id", "grid_cell__community_id", "place_lon", "place_lat")
    )
    for street_id, address, cell, community, lon, lat in confirmed.iterator(chunk_size=5000):
        place = (street_id, address_key(address))
        if place[1] and place not in known and place not in lessons:
            lessons[place] = {
                "address": address,
                "community_id": community,
                "grid_cell_id": cell,
                "lon": lon,
                "lat": lat,
            }
    handled = (
        Ticket.objects.filter(lead_unit__kind=UnitKind.COMMUNITY, closed_at__isnull=False)
        .exclude(address="")
        .values("street_id", "address")
        .annotate(tickets=Count("id"), units=Count("lead_unit", distinct=True), unit=Max("lead_unit"))
    )
    by_place: dict[tuple[int, str], set[int]] = {}
    count: dict[tuple[int, str], int] = {}
    first_address: dict[tuple[int, str], str] = {}
    for row in handled.iterator(chunk_size=5000):
        place = (row["street_id"], address_key(row["address"]))
        if not place[1] or place in known or place in lessons:
            continue
        by_place.setdefault(place, set()).add(row["unit"] if row["units"] == 1 else -1)
        count[place] = count.get(place, 0) + row["tickets"]
        first_address.setdefault(place, row["address"])
    for place, units in by_place.items():
        if len(units) == 1 and -1 not in units and count[place] >= 2:
            lessons[place] = {
                "address": first_address[place],
                "community_id": next(iter(units)),
                "grid_cell_id": None,
                "lon": None,
                "lat": None,
            }
    with transaction.atomic():
        GazetteerEntry.objects.bulk_create(
            [
                GazetteerEntry(street_id=street_id, key=key, origin=GazetteerEntry.Origin.LEARNED, **lesson)
                for (street_id, key), lesson in lessons.items()
            ],
            update_conflicts=True,
            unique_fields=["street", "key"],
            update_fields=["address", "community", "grid_cell", "lon", "lat", "updated_at"],
        )
    retry_unresolved()
    return len(lessons)
