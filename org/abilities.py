"""What each role may do beyond acting on a ticket: one table, keyed by role (docs/domain.md §7).

Named abilities cover every page and feature that is not an action on one ticket (those are
``dispatch.access.can`` with the workflow's declarations). Views, DRF permissions and templates ask
``may(user, "reports.read")``; nobody compares roles outside this module and ``dispatch.access``.

A role's abilities are listed in the order its pages appear in the navigation, so the nav and each
role's home page (its first page) are derived from this table too (``pages_for``, ``home_page``).
This module is in ``org``, the bottom layer, so that every app — intake's API included — can ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from org.models import Role

# ability -> what it allows
ABILITIES: dict[str, str] = {
    "tickets.list": "the ticket list of the tickets one may see (the workbench)",
    "tickets.receive": "bring tickets in: the intake API, the ticket CSV upload and command",
    "tickets.search_personal": "search tickets by the complainant's phone or name (each search is logged)",
    "tickets.bulk_dispatch": "dispatch several triaged tickets at once from the workbench",
    "inbox.read": "the unit inbox: one's units' tickets by deadline",
    "signoffs.read": "the sign-off queue: drafts and requests waiting for one's signature",
    "visits.import": "bring the city's return-visit results in (page, API and command)",
    "dashboard.read": "the nightly leadership dashboard and its drill-downs",
    "reports.read": "rankings, weekly analyses, monthly bulletins and their Excel workbooks",
    "reports.run": "run a reporting job now instead of waiting for its schedule",
    "reports.ledger": "the ledger's request and reply text (masked) in the workbooks: who sees every ticket",
    "hotspots.read": "hot spots: clusters of similar requests across the street",
    "hotspots.run": "look for hot spots now",
    "cases.read": "proactive cases one is involved in (all of them with cases.read_all)",
    "cases.read_all": "every proactive case of the street",
    "cases.create": "draft (center) or open (leaders) a proactive case",
    "deliveries.read": "the log of notices sent out of the app (WeCom groups, webhooks); try a failed one again",
    "tonight.read": "the leader's 23:00 page: today's intake, handling, overdue, supervised and double-no tickets",
    "triage.assistant": "the triage assistant's page: its model and how often its suggestions are accepted",
    "api.docs": "the API documentation (the machine client's home)",
    "categories.review": "new categories an import brought: confirm each, or map it to an existing one",
    "audit.read": "the personal-data access log: who saw whose name and phone, when and why; its Excel export",
    "settings.edit": "the own street's settings in the pages: working days, deadline rules, scoring, sign-off chains",
    "map.read": "the map of the street's tickets by grid cell and community, with their points",
    "places.resolve": "the addresses the street could not place, to place each once",
    "geography.edit": "the street's community boundaries and grid cells: load a GeoJSON file, edit grid workers",
    "district.read": "the league of the district's streets (rates, composite, rank, their units) and its workbook",
}

# role -> abilities; the ones with a page come first, in the order of that role's navigation
ROLE_ABILITIES: dict[str, tuple[str, ...]] = {
    Role.CENTER_STAFF: (
        "tickets.list",
        "visits.import",
        "categories.review",
        "dashboard.read",
        "reports.read",
        "hotspots.read",
        "deliveries.read",
        "map.read",
        "places.resolve",
        "geography.edit",
        "tickets.receive",
        "tickets.search_personal",
        "tickets.bulk_dispatch",
        "reports.run",
        "reports.ledger",
        "hotspots.run",
        "cases.read",
        "cases.read_all",
        "cases.create",
        "triage.assistant",
    ),
    # a handler sees only their units' tickets, whose complainants they may see in full
    Role.UNIT_HANDLER: ("inbox.read", "tickets.list", "cases.read", "tickets.search_personal"),
    Role.SECTION_LEADER: (
        "signoffs.read",
        "tonight.read",
        "tickets.list",
        "dashboard.read",
        "reports.read",
        "hotspots.read",
        "map.read",
        "cases.read",
        "cases.create",
    ),
    Role.PRINCIPAL_LEADER: (
        "dashboard.read",
        "tonight.read",
        "signoffs.read",
        "tickets.list",
        "reports.read",
        "hotspots.read",
        "audit.read",
        "map.read",
        "reports.run",
        "reports.ledger",
        "hotspots.run",
        "cases.read",
        "cases.read_all",
        "cases.create",
        "triage.assistant",
    ),
    Role.INSPECTOR: (
        "reports.read",
        "dashboard.read",
        "tickets.list",
        "hotspots.read",
        "audit.read",
        "reports.ledger",
        "cases.read",
        "cases.read_all",
    ),
    Role.PLATFORM: ("api.docs", "tickets.receive", "visits.import"),
    # the center's administrator keeps the street's settings and its map data (communities, grid cells)
    Role.CENTER_ADMIN: ("settings.edit", "geography.edit"),
    # the district center (docs/district.md): reads every street of its district, acts on no ticket
    Role.DISTRICT_STAFF: ("district.read", "dashboard.read", "tickets.list", "reports.read"),
    Role.DISTRICT_LEADER: ("district.read", "dashboard.read", "tickets.list", "reports.read"),
}


@dataclass(frozen=True)
class Page:
    """A place the navigation leads to: its URL name and label (the ability that opens it is its key)."""

    url_name: str
    label: str | Promise
    in_nav: bool = True


# the page each ability opens (the abilities without a page are features on other pages)
PAGES: dict[str, Page] = {
    "tickets.list": Page("workbench", _("Tickets")),
    "inbox.read": Page("inbox", _("My unit's tickets")),
    "signoffs.read": Page("signoff-queue", _("Sign-off queue")),
    "visits.import": Page("visit-import", _("Return visits")),
    "dashboard.read": Page("dashboard", _("Dashboard")),
    "reports.read": Page("reports", _("Reports")),
    "hotspots.read": Page("proactive", _("Proactive handling")),
    "categories.review": Page("categories-new", _("New categories")),
    "audit.read": Page("audit-personal-data", _("Personal-data log")),
    "settings.edit": Page("street-settings", _("Settings")),
    "deliveries.read": Page("deliveries", _("Outgoing notices")),
    "tonight.read": Page("tonight", _("Tonight")),
    "triage.assistant": Page("triage-assistant", _("Triage assistant"), in_nav=False),
    "map.read": Page("ticket-map", _("Map")),
    "places.resolve": Page("unplaced-addresses", _("Addresses to place")),
    "geography.edit": Page("geography", _("Grid cells")),
    "api.docs": Page("swagger-ui", _("API"), in_nav=False),
    "district.read": Page("district", _("District league")),
}


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def abilities_of(user: Any) -> tuple[str, ...]:
    return ROLE_ABILITIES.get(getattr(user, "role", ""), ()) if _active(user) else ()


def may(user: Any, ability: str) -> bool:
    """May this (signed-in, active) user use ``ability``? An unknown ability is a programming error."""
    if ability not in ABILITIES:
        raise KeyError(f"unknown ability {ability!r}")
    return ability in abilities_of(user)


def _pages(user: Any) -> list[Page]:
    return [PAGES[a] for a in abilities_of(user) if a in PAGES]


def pages_for(user: Any) -> list[Page]:
    """The pages of the user's navigation, in their role's order."""
    return [page for page in _pages(user) if page.in_nav]


def home_page(user: Any) -> str | None:
    """The URL name where the user's work starts: their role's first page."""
    pages = _pages(user)
    return pages[0].url_name if pages else None


def roles_with(ability: str) -> list[str]:
    """The roles that have ``ability`` (for recipients of notices and for the docs)."""
    return [role for role, granted in ROLE_ABILITIES.items() if ability in granted]
