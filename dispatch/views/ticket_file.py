"""The ticket file (卷宗): the whole case of one ticket as a document for the archive and the city's
audit — the request, triage and every dispatch, contacts, handling notes with their photos, each
reply draft with its sign-offs (names and times), extensions, send-backs, exclusions, return visits
and second handling, then the full timeline.

One context, two renderings: the A4 print view (``/tickets/<ticket_no>/file/``) and its PDF
(``?format=pdf``, ``jxq_cases.lib.pdf``). Who may open it is ``dispatch.access``: a ticket one
cannot see is not found. The complainant is shown as the viewer's role allows, by the same rule as
the ticket page (``access.personal_data``); a full display is logged, with where it was shown.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dispatch import access
from dispatch.models import Note, SendBackRequest, SignedDocument
from dispatch.views.common import visible_ticket_or_404
from dispatch.views.ticket import _timeline
from dispatch.workflow import (
    acknowledge_ticket,
    dispatch_ticket,
    merge_ticket,
    record_first_contact,
    refuse_dispatch,
    reopen_for_second_handling,
    set_supervision,
    take_ticket,
    triage_ticket,
)
from intake.models import Ticket
from jxq_cases.lib import clock
from jxq_cases.lib.pdf import html_to_pdf
from org.models import Role, User

# the personal-data log's "where" of the file and of its PDF (labelled in dispatch.views.audit)
LOGGED_AS_FILE = "ticket file"
LOGGED_AS_PDF = "ticket file PDF"

# the timeline's events shown again in the file's sections, by section
ROUTING = {
    f.action.event_kind
    for f in (triage_ticket, dispatch_ticket, acknowledge_ticket, refuse_dispatch, set_supervision, take_ticket)
} | {merge_ticket.action.event_kind}
CONTACT = {record_first_contact.action.event_kind}
SECOND_HANDLING = {reopen_for_second_handling.action.event_kind}


def _signatures(document: SignedDocument, users: dict[int, User]) -> list[dict[str, Any]]:
    """A signed document's signatures: role, name, time (the chain's order)."""
    rows = []
    for signature in document.signatures:
        user = users.get(signature.get("user"))
        role = signature.get("role", "")
        rows.append(
            {
                "role": Role(role).label if role in Role.values else role,
                "name": str(user) if user else "—",
                "at": dt.datetime.fromisoformat(signature["at"]) if signature.get("at") else None,
            }
        )
    return rows


def _pending_roles(document: SignedDocument) -> list[str]:
    if document.status != "pending":
        return []
    return [str(Role(r).label) if r in Role.values else r for r in document.chain[document.step :]]


def ticket_file(user: Any, ticket: Ticket, *, context: str) -> dict:
    """Everything the file shows. ``context`` names where a full display of the complainant is
    logged ("ticket file", "ticket file PDF")."""
    timeline = _timeline(ticket)
    drafts = list(
        ticket.reply_drafts.select_related("author", "author_unit").prefetch_related("files").order_by("version")
    )
    exclusions = list(
        ticket.exclusion_requests.select_related("author", "author_unit").prefetch_related("files").order_by("version")
    )
    signer_ids = {s.get("user") for d in (*drafts, *exclusions) for s in d.signatures}
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in signer_ids if i is not None])}
    notes = list(
        Note.objects.filter(ticket=ticket).select_related("author", "author_unit").prefetch_related("attachments")
    )
    return {
        "ticket": ticket,
        "co_units": list(ticket.co_units.all()),
        "person": access.personal_data(user, ticket, context=context),
        "routing": [e for e in timeline if e["kind"] in ROUTING],
        "contacts": [e for e in timeline if e["kind"] in CONTACT],
        "notes": notes,
        "drafts": [{"draft": d, "signatures": _signatures(d, users), "pending": _pending_roles(d)} for d in drafts],
        "exclusions": [
            {"request": r, "signatures": _signatures(r, users), "pending": _pending_roles(r)} for r in exclusions
        ],
        "extensions": list(
            ticket.extension_requests.select_related("requested_by", "decided_by").order_by("requested_at")
        ),
        "send_backs": list(
            SendBackRequest.objects.filter(ticket=ticket)
            .select_related("requested_by", "decided_by")
            .order_by("requested_at")
        ),
        "visits": list(ticket.visits.select_related("recorded_by").order_by("visited_at", "id")),
        "second_handling": [e for e in timeline if e["kind"] in SECOND_HANDLING],
        "timeline": timeline,
        "printed_at": clock.local(clock.now()),
        "printed_by": user,
        "title": _("Ticket file %(ticket_no)s") % {"ticket_no": ticket.ticket_no},
        "street": settings.REPORTING_STREET_NAME,
    }


def stored_images(file: dict) -> dict[str, tuple[str, str]]:
    """The photos the file shows — the notes' and the evidence images of the reply drafts and
    exclusion requests — for the PDF renderer: URL path -> (storage name, type)."""
    images = {
        attachment.file.url: (attachment.file.name, attachment.content_type)
        for note in file["notes"]
        for attachment in note.attachments.all()
        if attachment.content_type.startswith("image/")
    }
    documents = [item["draft"] for item in file["drafts"]] + [item["request"] for item in file["exclusions"]]
    for document in documents:
        for evidence in document.files.all():
            if evidence.content_type.startswith("image/"):
                url = reverse("ticket-evidence", args=[file["ticket"].ticket_no, evidence.pk])
                images[url] = (evidence.file.name, evidence.content_type)
    return images


def _file_name(ticket_no: str) -> str:
    return "ticket-file-" + (re.sub(r"[^A-Za-z0-9_.-]", "_", ticket_no) or "ticket") + ".pdf"


@login_required
@require_GET
def ticket_file_page(request: HttpRequest, ticket_no: str) -> HttpResponse:
    """The ticket file on A4: the print view, or its PDF with ``?format=pdf``."""
    ticket = visible_ticket_or_404(request.user, ticket_no)
    as_pdf = request.GET.get("format") == "pdf"
    file = ticket_file(request.user, ticket, context=LOGGED_AS_PDF if as_pdf else LOGGED_AS_FILE)
    if as_pdf:
        html = render_to_string("dispatch/ticket_file.html", {**file, "for_pdf": True}, request=request)
        response = HttpResponse(html_to_pdf(html, files=stored_images(file)), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{_file_name(ticket.ticket_no)}"'
    else:
        response = render(request, "dispatch/ticket_file.html", file)
    # the complainant may be in it: no shared cache keeps a copy
    response["Cache-Control"] = "private, no-store"
    return response
