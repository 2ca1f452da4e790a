"""The documents people hand out: the monthly bulletin (月总结通报) and the weekly analysis (周调度分析),
each as a Word document (python-docx) and an A4 print view.

Both renderings come from one :class:`Document`: a title, a subtitle and blocks (headings,
paragraphs, tables) built from the period's stored snapshot (``reporting.bulletins``) plus the
lists a bulletin names ticket by ticket, counted in the database: the month's double-no tickets,
its overdue tickets, and the bonuses and deductions. The lists carry ticket numbers, units,
categories and communities — never a complainant's name, phone, address or request text: the
bulletin is read across the street office.

The bulletin follows the shape a street's discipline office circulates: the overall figures, the
units' ranking with every rate, the double-no and overdue tickets by unit, the hot spots, the
bonuses and deductions, then who is commended and who is to be interviewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from intake.models import Status, Ticket
from jxq_cases.lib import clock
from org.models import Street
from proactive.hotspots import hotspots_between
from reporting.models import ScoreAdjustment, Snapshot
from reporting.rates import DOUBLE_NO, period_tickets

# a bulletin lists at most this many tickets per list (and says how many more there are)
LIST_LIMIT = 200
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[dict] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append({"kind": "heading", "text": text})

    def paragraph(self, text: str) -> None:
        self.blocks.append({"kind": "paragraph", "text": text})

    def table(self, headers: list[str], rows: list[list], *, empty: str = "") -> None:
        if rows:
            self.blocks.append({"kind": "table", "headers": headers, "rows": [[_cell(v) for v in r] for r in rows]})
        elif empty:
            self.paragraph(empty)

    def text(self) -> str:
        """Every word of the document, for searching and tests."""
        parts = [self.title, self.subtitle]
        for block in self.blocks:
            if block["kind"] == "table":
                parts += block["headers"] + [c for row in block["rows"] for c in row]
            else:
                parts.append(block["text"])
        return "\n".join(parts)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _rate(value: float | Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _signed(value: float | Decimal | None) -> str:
    return "0" if not value else f"{value:+.2f}"


# --- ticket lists ---------------------------------------------------------------------------------


def _ticket_rows(tickets: QuerySet[Ticket]) -> tuple[list[list[Any]], int]:
    total = tickets.count()
    rows = [
        [
            t["ticket_no"],
            t["lead_unit__name"] or _("Not dispatched yet"),
            t["category__name"] or "",
            t["community__name"] or "",
            t["received_at"],
            t["handle_due_at"],
            str(Status(t["status"]).label),
        ]
        for t in tickets.order_by("lead_unit__name", "received_at", "id").values(
            "ticket_no",
            "lead_unit__name",
            "category__name",
            "community__name",
            "received_at",
            "handle_due_at",
            "status",
        )[:LIST_LIMIT]
    ]
    for row in rows:
        received, due = row[4], row[5]
        row[4] = clock.local(received).strftime("%m-%d %H:%M") if isinstance(received, dt.datetime) else ""
        row[5] = clock.local(due).strftime("%m-%d %H:%M") if isinstance(due, dt.datetime) else "—"
    return rows, total


def double_no_tickets(first: dt.date, last: dt.date, street: Street | None = None) -> QuerySet[Ticket]:
    """The month's counted tickets neither resolved nor satisfied (what costs the street points)."""
    return period_tickets(first, last, street=street).filter(DOUBLE_NO)


def overdue_tickets(
    first: dt.date, last: dt.date, *, now: dt.datetime | None = None, street: Street | None = None
) -> QuerySet[Ticket]:
    """The month's tickets handled late: reviewed (or replied) after the handling deadline, or still
    not reviewed when it passed."""
    now = now or clock.now()
    done = Coalesce("reviewed_at", "replied_at", Value(now), output_field=DateTimeField())
    return (
        period_tickets(first, last, street=street)
        .filter(handle_due_at__isnull=False)
        .annotate(handled_at=done)
        .filter(handled_at__gt=F("handle_due_at"))
    )


def _ticket_headers() -> list[str]:
    return [
        _("Ticket number"),
        _("Lead unit"),
        _("Category"),
        _("Community"),
        _("Received"),
        _("Handle by"),
        _("Status"),
    ]


def _listed(document: Document, rows: list[list], total: int, empty: str) -> None:
    document.table(_ticket_headers(), rows, empty=empty)
    if total > len(rows):
        document.paragraph(_("…and %(more)s more (the ledger lists them all).") % {"more": total - len(rows)})


# --- the monthly bulletin --------------------------------------------------------------------------


def _ranking_rows(ranking: dict) -> list[list]:
    rows = []
    for r in ranking.get("ranked", []) + [r for r in ranking.get("apart", []) if r.get("total")]:
        rows.append(
            [
                r["rank"] if r.get("rank") else _("not ranked"),
                r["unit"],
                r["total"],
                r["counted"],
                _rate(r["response"]),
                _rate(r["resolution"]),
                _rate(r["satisfaction"]),
                _signed(r.get("adjustment")),
                _rate(r["composite"]),
                r["double_no"],
            ]
        )
    return rows


def _ranking_headers() -> list[str]:
    return [
        _("Rank"),
        _("Unit"),
        _("Tickets"),
        _("Counted"),
        _("Response rate %"),
        _("Resolution rate %"),
        _("Satisfaction rate %"),
        _("Bonus − deductions"),
        _("Composite score"),
        _("Double-no"),
    ]


def monthly_bulletin(snapshot: Snapshot) -> Document:
    """The monthly bulletin of a stored monthly snapshot."""
    data = snapshot.data
    first, last = snapshot.period_start, snapshot.period_end
    street = data["street"]
    name = snapshot.street.name
    document = Document(
        title=_("%(street)s 12345 handle-on-receipt work bulletin, %(year)s-%(month)02d")
        % {"street": name, "year": first.year, "month": first.month},
        subtitle=_("%(start)s to %(end)s · issued %(today)s")
        % {"start": first.isoformat(), "end": last.isoformat(), "today": clock.today().isoformat()},
    )

    document.heading(_("1. Overall"))
    if street["total"]:
        document.paragraph(
            _(
                "This month the street received %(total)s requests (%(city)s dispatched by the city, %(district)s "
                "forwarded by the district); %(counted)s were counted in the evaluation. Response rate "
                "%(response)s%%, resolution rate %(resolution)s%%, satisfaction rate %(satisfaction)s%%, "
                "composite score %(composite)s; %(double_no)s double-no tickets."
            )
            % {
                "total": street["total"],
                "city": street["city"],
                "district": street["district"],
                "counted": street["counted"],
                "response": _rate(street["response"]),
                "resolution": _rate(street["resolution"]),
                "satisfaction": _rate(street["satisfaction"]),
                "composite": _rate(street["composite"]),
                "double_no": street["double_no"],
            }
        )
    else:
        document.paragraph(_("No request was received this month."))

    document.heading(_("2. Ranking of the units"))
    ranking = data.get("ranking", {})
    document.table(_ranking_headers(), _ranking_rows(ranking), empty=_("No unit led a ticket this month."))
    document.paragraph(
        _("Units with fewer than %(n)s counted tickets are listed but not ranked. Policy: %(policy)s")
        % {"n": ranking.get("min_counted", ""), "policy": data.get("policy", "")}
    )

    document.heading(_("3. Double-no tickets"))
    _listed(
        document, *_ticket_rows(double_no_tickets(first, last, snapshot.street)), _("No double-no ticket this month.")
    )

    document.heading(_("4. Overdue tickets"))
    _listed(
        document,
        *_ticket_rows(overdue_tickets(first, last, street=snapshot.street)),
        _("No ticket was handled late this month."),
    )

    document.heading(_("5. Hot spots"))
    spots = hotspots_between(first, last, street_ids={snapshot.street_id})[:10]
    document.table(
        [_("Topic"), _("Community"), _("Tickets")],
        [[h["topic"], h["community"] or "—", h["ticket_count"]] for h in spots],
        empty=_("No hot spot this month."),
    )

    document.heading(_("6. Bonuses and deductions"))
    adjustments = (
        ScoreAdjustment.objects.filter(month=first).select_related("unit").order_by("unit__name", "kind", "id")
    )
    document.table(
        [_("Unit"), _("Bonus or deduction"), _("Points"), _("Reason")],
        [
            [a.unit.name if a.unit else _("The street"), a.get_kind_display(), f"{a.points:.2f}", a.reason]
            for a in adjustments
        ],
        empty=_("No bonus or deduction this month."),
    )

    document.heading(_("7. Commendation and interviews"))
    best = data.get("best_unit")
    document.paragraph(
        _("Best unit: %(unit)s (composite %(composite)s).")
        % {"unit": best["unit"], "composite": _rate(best["composite"])}
        if best
        else _("No unit was ranked this month.")
    )
    handlers = data.get("best_handlers", [])
    document.table(
        [_("Handler"), _("Units"), _("Counted"), _("Double-yes rate %")],
        [[h["name"], "、".join(h["units"]), h["counted"], _rate(h["double_yes_rate"])] for h in handlers],
        empty=_("No handler had enough counted tickets to be a candidate."),
    )
    interview = data.get("units_to_interview", [])
    document.paragraph(
        _("Units to interview: %(units)s.") % {"units": "、".join(u["unit"] for u in interview)}
        if interview
        else _("No unit is to be interviewed this month.")
    )
    return document


# --- the weekly analysis ---------------------------------------------------------------------------


def weekly_analysis(snapshot: Snapshot) -> Document:
    """The weekly analysis of a stored weekly snapshot."""
    data = snapshot.data
    this, before, trend = data["this_week"], data["last_week"], data["trend"]
    document = Document(
        title=_("%(street)s 12345 weekly analysis") % {"street": snapshot.street.name},
        subtitle=_("%(start)s to %(end)s · issued %(today)s")
        % {"start": data["from"], "end": data["to"], "today": clock.today().isoformat()},
    )
    document.heading(_("1. This week and the week before"))
    change = trend.get("total_change")
    document.paragraph(
        _(
            "This week the street received %(total)s requests (%(before)s the week before, change %(change)s); "
            "%(counted)s were counted, %(double_no)s of them double-no."
        )
        % {
            "total": this["total"],
            "before": before["total"],
            "change": "—" if change is None else f"{change:+.2f}%",
            "counted": this["counted"],
            "double_no": this["double_no"],
        }
    )
    document.table(
        ["", _("This week"), _("Week before")],
        [
            [_("Tickets"), this["total"], before["total"]],
            [_("City direct"), this["city"], before["city"]],
            [_("Counted"), this["counted"], before["counted"]],
            [_("Response rate %"), _rate(this["response"]), _rate(before["response"])],
            [_("Resolution rate %"), _rate(this["resolution"]), _rate(before["resolution"])],
            [_("Satisfaction rate %"), _rate(this["satisfaction"]), _rate(before["satisfaction"])],
            [_("Double-no"), this["double_no"], before["double_no"]],
        ],
    )
    document.heading(_("2. Tickets per day"))
    document.table(
        [_("Day"), _("Tickets"), _("City direct")], [[d["day"], d["total"], d["city"]] for d in data["days"]]
    )
    document.heading(_("3. Top categories"))
    document.table(
        [_("Category"), _("This week"), _("Week before")],
        [[c["name"] or _("Unclassified"), c["count"], c["previous"]] for c in data["top_categories"]],
        empty=_("No request this week."),
    )
    document.heading(_("4. Top communities"))
    document.table(
        [_("Community"), _("This week"), _("Week before")],
        [[c["name"] or _("No community"), c["count"], c["previous"]] for c in data["top_communities"]],
        empty=_("No request this week."),
    )
    document.heading(_("5. Hot spots"))
    document.table(
        [_("Topic"), _("Community"), _("Tickets")],
        [[h["topic"], h["community"] or "—", h["ticket_count"]] for h in data.get("hot_spots", [])],
        empty=_("No hot spot this week."),
    )
    return document


# --- Word -------------------------------------------------------------------------------------------

BODY_FONT, HEADING_FONT = "SimSun", "SimHei"  # 宋体 and 黑体, the usual faces of a government document


def _style(
    word: Any, name: str, font: str, size: float, *, bold: bool = False, center: bool = False, indent: float = 0
) -> Any:
    """A paragraph style with its East Asian font: set once, not on every run (python-docx's per-run
    font properties cost more than the rest of the document)."""
    style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = word.styles["Normal"]
    style.font.name, style.font.size, style.font.bold = font, Pt(size), bold
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if center:
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        style.paragraph_format.first_line_indent = Pt(indent)
    return style


def write_docx(document: Document, target: str | IO[bytes]) -> None:
    """The document as a .docx: a centred title, numbered headings, paragraphs and grid tables."""
    word = WordDocument()
    section = word.sections[0]
    section.page_height, section.page_width = Pt(841.9), Pt(595.3)  # A4
    styles = {
        "title": _style(word, "Document title", HEADING_FONT, 18, bold=True, center=True),
        "subtitle": _style(word, "Document subtitle", BODY_FONT, 11, center=True),
        "heading": _style(word, "Section heading", HEADING_FONT, 14, bold=True),
        "paragraph": _style(word, "Body text", BODY_FONT, 12, indent=24),
        "th": _style(word, "Table header", HEADING_FONT, 10, bold=True),
        "td": _style(word, "Table text", BODY_FONT, 10),
    }
    word.add_paragraph(document.title, style=styles["title"])
    word.add_paragraph(document.subtitle, style=styles["subtitle"])
    for block in document.blocks:
        if block["kind"] in ("heading", "paragraph"):
            word.add_paragraph(block["text"], style=styles[block["kind"]])
            continue
        columns = len(block["headers"])
        table = word.add_table(rows=1 + len(block["rows"]), cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # every cell at once: python-docx's row.cells walks the whole table each time (quadratic), and
        # its paragraph.style looks the style up among all styles: the style id is set directly
        cells = table._cells
        header, text_style = styles["th"].style_id, styles["td"].style_id
        for position, text in enumerate([*block["headers"], *(c for row in block["rows"] for c in row)]):
            paragraph = cells[position].paragraphs[0]
            paragraph._p.style = header if position < columns else text_style
            paragraph.add_run(text)
        word.add_paragraph()
    word.save(target)
