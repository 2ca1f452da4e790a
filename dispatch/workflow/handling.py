"""Steps 4 and 5: the first contact with the complainant (联系) and handling notes (办理)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import access
from dispatch.attachments import check_uploads, store_checked
from dispatch.models import Attachment, Note
from dispatch.workflow import conditions, core
from dispatch.workflow.core import Step, invalid
from dispatch.workflow.registry import action
from intake.models import PlaceOrigin, Status, Ticket

# what dispatch.workflow exports from this step module (adding an action adds its name here)
__all__ = ["CONTACT_METHODS", "add_handling_note", "confirm_place", "record_first_contact"]

if TYPE_CHECKING:
    from org.models import User

CONTACT_METHODS = ("phone", "visit", "sms", "other")


@action(
    "record_first_contact",
    label=gettext_lazy("Record first contact"),
    verb=gettext_lazy("record first contact"),
    runs_from={Status.DISPATCHED},
    who={access.LEAD_UNIT},
    ready=[conditions.ACKNOWLEDGED_BEFORE_CONTACT],
    serializer="dispatch.serializers.ContactAction",
    form="dispatch.forms.ContactForm",
    event_label=gettext_lazy("First contact"),
    moves_to={Status.CONTACTED},
    aliases=("contact",),
)
def record_first_contact(
    ticket: Ticket,
    *,
    actor: User,
    now: datetime,
    method: str,
    outcome: str,
    note: str = "",
    contacted_at: datetime | None = None,
) -> Step:
    """When and how the complainant was reached, and what was agreed."""
    if method not in CONTACT_METHODS:
        raise invalid(
            _("method must be one of %(choices)s") % {"choices": ", ".join(CONTACT_METHODS)}, method="unknown"
        )
    outcome = core.text(outcome, "outcome")
    contacted_at = contacted_at or now
    if contacted_at > now + timedelta(minutes=5):
        raise invalid(_("the contact time is in the future"), contacted_at="in the future")
    if contacted_at < ticket.received_at:
        raise invalid(_("the contact time is before the ticket was received"), contacted_at="too early")
    ticket.first_contact_at = contacted_at
    return Step(
        to_status=Status.CONTACTED,
        fields={"first_contact_at"},
        data={
            "method": method,
            "outcome": outcome,
            "note": core.text(note, "note", required=False),
            "contacted_at": contacted_at.isoformat(),
            "late": bool(ticket.contact_due_at and contacted_at > ticket.contact_due_at),
        },
    )


@action(
    "add_handling_note",
    label=gettext_lazy("Add a handling note"),
    verb=gettext_lazy("add a handling note"),
    runs_from=conditions.OPEN_FOR_HANDLING,
    who={access.LEAD_UNIT, access.CO_UNIT, access.TAKER},
    serializer="dispatch.serializers.NoteWithFilesAction",
    form="dispatch.forms.NoteForm",
    event_label=gettext_lazy("Handling note"),
    moves_to={Status.HANDLING},
    aliases=("note",),
)
def add_handling_note(ticket: Ticket, *, actor: User, now: datetime, text: str, files: list | None = None) -> Step:
    """A progress note with optional images/PDFs (checked by content and size before anything is stored)."""
    text = core.text(text, "text")
    checked = check_uploads(list(files or []))
    note = Note.objects.create(
        ticket=ticket, author=actor, author_unit_id=core.actor_unit_id(actor, ticket), text=text, created_at=now
    )
    step = Step(
        to_status=Status.HANDLING if ticket.status == Status.CONTACTED else None,
        data={"note_id": note.pk, "text": text, "attachments": [i["original_name"] for i in checked]},
    )
    # Nothing half-written: the files are stored outside the transaction, so whatever fails after
    # them — here or while finishing the step — removes the ones already written.
    store_checked(
        checked,
        lambda item: Attachment(
            note=note,
            stored_name=item["stored_name"],
            original_name=item["original_name"],
            content_type=item["content_type"],
            size=item["size"],
        ),
        step.cleanup,
    )
    return step


PLACE_METHODS = ("location", "map")  # the phone's location (geolocation), or a tap on the map


@action(
    "confirm_place",
    label=gettext_lazy("Confirm the place on site"),
    verb=gettext_lazy("confirm the place of"),
    runs_from=conditions.IN_THE_UNITS,
    who={access.LEAD_UNIT, access.CO_UNIT, access.TAKER},
    serializer="dispatch.serializers.PlaceAction",
    form="dispatch.forms.PlaceForm",
    event_label=gettext_lazy("Place confirmed on site"),
)
def confirm_place(ticket: Ticket, *, actor: User, now: datetime, lon: float, lat: float, method: str = "map") -> Step:
    """A handler on site confirms or corrects where the ticket is (docs/geography.md): the point must
    lie inside the street; its community and grid cell follow from it."""
    from org.geography import has_geography, locate
    from org.models import GridCell, Unit

    if method not in PLACE_METHODS:
        raise invalid(_("method must be one of %(choices)s") % {"choices": ", ".join(PLACE_METHODS)}, method="unknown")
    if not has_geography():
        raise invalid(_("The street has no geography yet: the center loads it first."))
    where = locate(lon, lat)
    # a point in another street's community is outside this ticket's street (docs/district.md)
    if not where.in_street or not Unit.objects.filter(pk=where.community_id or 0, street_id=ticket.street_id).exists():
        raise invalid(
            _("The point (%(lon).6f, %(lat).6f) is outside the street; move to the place or tap it on the map.")
            % {"lon": lon, "lat": lat},
            lon="outside the street",
        )
    before = {"lon": ticket.place_lon, "lat": ticket.place_lat, "origin": ticket.place_origin}
    cell = GridCell.objects.filter(pk=where.grid_cell_id).first() if where.grid_cell_id else None
    community = Unit.objects.get(pk=where.community_id or 0)
    ticket.place_lon, ticket.place_lat = round(lon, 6), round(lat, 6)
    ticket.place_community_id = where.community_id
    ticket.grid_cell_id = where.grid_cell_id
    ticket.place_origin = PlaceOrigin.ON_SITE
    return Step(
        fields={"place_lon", "place_lat", "place_community", "grid_cell", "place_origin"},
        data={
            "lon": ticket.place_lon,
            "lat": ticket.place_lat,
            "method": method,
            "community": community.name,
            "grid_cell": f"{cell.code} {cell.name}" if cell else "",
            "before": before,
        },
    )
