"""The personal-data access log (个人信息查看记录) for those who audit it — the principal leaders and
discipline inspection (ability ``audit.read``): who saw whose name and phone in full, when and where
(why), filtered by person, ticket, place and days, and exported to an inert Excel workbook.

The log itself never shows personal data: the complainant is named by the ticket number and the
masked name, whoever reads it.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from dispatch import access, search
from dispatch.models import PersonalDataAccess
from dispatch.views.ticket_file import LOGGED_AS_FILE, LOGGED_AS_PDF
from jxq_cases.lib import clock
from jxq_cases.lib.spreadsheet import text_row
from org.models import Role

PAGE_ROWS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# where a full display happened (``access.personal_data(context=…)``) -> why, as the log shows it
CONTEXTS = {
    "ticket page": _("Ticket page: shown in full on request"),
    "api_detail": _("API: ticket detail"),
    LOGGED_AS_FILE: _("Ticket file: viewed or printed"),
    LOGGED_AS_PDF: _("Ticket file: PDF downloaded"),
    search.log_context(search.PHONE): _("Search by phone number"),
    search.log_context(search.PHONE_TAIL): _("Search by the last four digits of a phone number"),
    search.log_context(search.NAME): _("Search by name"),
}


def context_label(context: str) -> str:
    return str(CONTEXTS.get(context, context))


class AccessLogFilter(forms.Form):
    who = forms.CharField(label=_("Who (user name or name)"), required=False, max_length=100)
    ticket = forms.CharField(label=_("Ticket number"), required=False, max_length=64)
    context = forms.ChoiceField(label=_("Where"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["context"].choices = [("", _("Any")), *CONTEXTS.items()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the range is after its end."))
        return data

    def entries(self) -> QuerySet[PersonalDataAccess]:
        rows = PersonalDataAccess.objects.select_related("user", "ticket").order_by("-at", "-id")
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("who"):
            rows = rows.filter(Q(user__username__icontains=data["who"]) | Q(user__display_name__icontains=data["who"]))
        if data.get("ticket"):
            rows = rows.filter(ticket__ticket_no=data["ticket"].strip())
        if data.get("context"):
            rows = rows.filter(context=data["context"])
        if data.get("date_from"):
            rows = rows.filter(at__gte=clock.day_bounds(data["date_from"])[0])
        if data.get("date_to"):
            rows = rows.filter(at__lt=clock.day_bounds(data["date_to"])[1])
        return rows


def _row(entry: PersonalDataAccess) -> dict:
    user, ticket = entry.user, entry.ticket
    return {
        "at": clock.local(entry.at),
        "who": str(user),
        "username": user.username,
        "role": str(Role(user.role).label) if user.role in Role.values else user.role,
        # a search by phone or name has no ticket: what was searched for (stored masked) is "whose"
        "ticket_no": ticket.ticket_no if ticket else "",
        "whose": access.mask_name(ticket.complainant_name) if ticket else entry.term,
        "why": context_label(entry.context),
    }


def _workbook(entries: QuerySet[PersonalDataAccess]) -> bytes:
    """Every filtered entry, newest first, in a workbook whose text cells are inert."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Personal-data log"))
    headings = [gettext("When"), gettext("Who"), gettext("User name"), gettext("Role")]
    sheet.append(text_row(sheet, [*headings, gettext("Ticket"), gettext("Whose (masked)"), gettext("Where")]))
    for entry in entries.iterator(chunk_size=2000):
        row = _row(entry)
        row["at"] = row["at"].replace(tzinfo=None)  # Excel has no time zones: the street's wall clock
        sheet.append(text_row(sheet, list(row.values())))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def personal_data_log(request: HttpRequest) -> HttpResponse:
    if not access.may(request.user, "audit.read"):
        raise Http404(gettext("The personal-data log is for the principal leaders and the inspectors."))
    form = AccessLogFilter(request.GET or None)
    entries = form.entries()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_workbook(entries), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="personal-data-log-{clock.today():%Y%m%d}.xlsx"'
        return response
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {
        "title": _("Personal-data log"),
        "form": form,
        "total": entries.count(),
        "rows": [_row(e) for e in entries[:PAGE_ROWS]],
        "page_rows": PAGE_ROWS,
        "excel_url": f"{request.path}?{query.urlencode()}",
    }
    return render(request, "dispatch/personal_data_log.html", context)
