"""Forms of the staff pages: the workbench filter and one form per workflow action.

The action forms only parse and validate input; the rule itself (who may, in which state) is
``dispatch.workflow``'s, so a form never decides whether an action is allowed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from intake.models import PUBLIC_REPLY_CHARS, Category, Kind, Source, Status, Supervision, Urgency
from jxq_cases.lib import clock
from org.models import Street, Unit, UnitKind

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from intake.models import Ticket
    from org.models import User


class UnitChoiceField(forms.ModelChoiceField):
    """A unit by its name, or by its street and name when the choices span several streets (every
    street has a 南路社区 and a 城市管理办公室)."""

    street_names: dict[int, str] | None = None

    def label_from_instance(self, obj: Any) -> str:
        if self.street_names:
            return f"{self.street_names.get(obj.street_id, '')} · {obj.name}"
        return str(obj)


class WorkbenchFilterForm(forms.Form):
    """The workbench's filters, read from the query string so that a filtered list is a link."""

    STATUS_OPEN = "open"
    STATUS_ALL = "all"
    SORTS = [
        ("deadline", _("Deadline, nearest first")),
        ("-received", _("Received, newest first")),
        ("received", _("Received, oldest first")),
    ]
    FLAGS = [
        ("urgent", _("Urgent")),
        ("key", _("Key")),
        ("difficult", _("Difficult")),
        ("supervised", _("Supervised")),
        ("double_no", _("Double-no")),
    ]
    DUE = [("", _("Any")), ("soon", _("Due soon")), ("overdue", _("Overdue"))]

    # the search checks its own length (dispatch.search): a refused search is answered, not ignored
    q = forms.CharField(label=_("Text"), required=False)
    # only for those who see several streets (a district's people): removed for everyone else
    street = forms.ModelChoiceField(label=_("Street"), required=False, queryset=Street.objects.none())
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any"))] + Source.choices)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any"))] + Kind.choices)
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.all())
    community = UnitChoiceField(
        label=_("Community"), required=False, queryset=Unit.objects.filter(kind=UnitKind.COMMUNITY)
    )
    unit = UnitChoiceField(label=_("Lead unit"), required=False, queryset=Unit.objects.all())
    due = forms.ChoiceField(label=_("Deadline"), required=False, choices=DUE)
    flags = forms.MultipleChoiceField(
        label=_("Flags"), required=False, choices=FLAGS, widget=forms.CheckboxSelectMultiple
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args: Any, street_ids: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        several = street_ids is not None and len(street_ids) > 1
        if street_ids is not None:  # the units of the user's streets (names repeat across streets)
            mine = Unit.objects.filter(street_id__in=street_ids)
            if several:
                mine = mine.order_by("street__name", "name")
            cast(UnitChoiceField, self.fields["community"]).queryset = mine.filter(kind=UnitKind.COMMUNITY)
            cast(UnitChoiceField, self.fields["unit"]).queryset = mine
        if several:
            streets = Street.objects.filter(pk__in=street_ids).order_by("name")
            cast(forms.ModelChoiceField, self.fields["street"]).queryset = streets
            names = dict(streets.values_list("pk", "name"))
            for name in ("community", "unit"):  # 南路社区 of which street
                cast(UnitChoiceField, self.fields[name]).street_names = names
        else:
            del self.fields["street"]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (self.STATUS_OPEN, _("In flight")),
            (self.STATUS_ALL, _("All")),
            *Status.choices,
        ]
        for name in ("category", "community", "unit", "street"):
            if name in self.fields:
                cast(forms.ModelChoiceField, self.fields[name]).empty_label = _("Any")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the received range is after its end."))
        return data

    def chosen_status_and_sort(self) -> tuple[str, str]:
        """The state and the order asked for, a field left out or not valid counting as not given: by
        default the open list by deadline."""
        data = getattr(self, "cleaned_data", {})
        return data.get("status") or self.STATUS_OPEN, data.get("sort") or "deadline"

    def received_range(self) -> tuple[datetime | None, datetime | None]:
        """The received range as aware datetimes: whole local days (Beijing time), end exclusive."""
        start, end = self.cleaned_data.get("received_from"), self.cleaned_data.get("received_to")
        start_at = clock.day_bounds(start)[0] if start else None
        end_at = clock.day_bounds(end)[1] if end else None
        return start_at, end_at


# --- one form per workflow action: field names are the keyword arguments of the workflow function ---


def new_form_token() -> str:
    """A one-time token for one rendering of a workflow form (see ``consume_form_token``)."""
    return uuid.uuid4().hex


def consume_form_token(token: str | None, user: User) -> bool:
    """Mark the form ``token`` used; False when it was used already (the form was sent twice).

    Call it inside the transaction of the action: if the action is refused, the mark is rolled back
    with it. A post without a token (an older page, a script) is not guarded and acts as sent.
    """
    from dispatch.models import UsedFormToken

    token = (token or "").strip()[:64]
    if not token:
        return True
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True


def prune_form_tokens(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget used tokens older than any page still open in a browser is likely to be; returns how many."""
    from django.utils import timezone

    from dispatch.models import UsedFormToken

    deleted, _by_model = UsedFormToken.objects.filter(used_at__lt=timezone.now() - older_than).delete()
    return deleted


class ActionForm(forms.Form):
    """Base of the action forms: ``arguments()`` are the keyword arguments for the workflow function.

    Each rendering carries a fresh one-time ``form_token`` (hidden): the page view acts once per token.
    """

    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput, initial=new_form_token)

    def __init__(self, *args: Any, ticket: Ticket | None = None, **kwargs: Any) -> None:
        self.ticket = ticket
        super().__init__(*args, **kwargs)
        if ticket is not None:
            # unit names repeat across streets: a ticket's form offers its own street's units only
            for field in self.fields.values():
                if not isinstance(field, forms.ModelChoiceField):
                    continue
                units = field.queryset
                if units is not None and units.model is Unit:
                    field.queryset = units.filter(street_id=ticket.street_id)

    def arguments(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "form_token"}


class NoInputForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class CommentForm(ActionForm):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class NoteOnlyForm(ActionForm):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class TriageForm(ActionForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True), required=False
    )
    is_key = forms.BooleanField(label=_("Key ticket"), required=False)
    is_difficult = forms.BooleanField(label=_("Difficult ticket"), required=False)
    supervision = forms.ChoiceField(label=_("Supervision"), choices=Supervision.choices, required=False)
    related = forms.CharField(
        label=_("Related earlier tickets"),
        required=False,
        max_length=1000,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )

    def __init__(self, *args: Any, ticket: Ticket | None = None, **kwargs: Any) -> None:
        if ticket is not None and not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "category": ticket.category_id,
                    "urgency": ticket.urgency,
                    "community": ticket.community_id,
                    "is_key": ticket.is_key,
                    "is_difficult": ticket.is_difficult,
                    "supervision": ticket.supervision,
                },
            )
        super().__init__(*args, ticket=ticket, **kwargs)
        for name in ("category", "community"):
            cast(forms.ModelChoiceField, self.fields[name]).empty_label = "—"

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        data["related"] = [n for n in data["related"].replace(",", " ").replace("，", " ").split() if n]
        return data


class DispatchForm(ActionForm):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_center=False, is_active=True)
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        queryset=Unit.objects.filter(is_center=False, is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def arguments(self) -> dict[str, Any]:
        return {"lead_unit": self.cleaned_data["lead_unit"], "co_units": list(self.cleaned_data["co_units"])}


class ContactForm(ActionForm):
    METHODS = [("phone", _("Phone")), ("visit", _("Visit")), ("sms", _("Text message")), ("other", _("Other"))]
    method = forms.ChoiceField(label=_("How"), choices=METHODS)
    contacted_at = forms.DateTimeField(
        label=_("When (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    outcome = forms.CharField(label=_("What was agreed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=5000)


class PlaceForm(ActionForm):
    """The point on site: filled by the phone's location (when permitted) or a tap on the map."""

    METHODS = [("location", _("My location")), ("map", _("Tapped on the map"))]
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "data-place": "lon"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "data-place": "lat"}),
    )
    method = forms.ChoiceField(
        choices=METHODS, initial="map", widget=forms.HiddenInput(attrs={"data-place": "method"}), required=False
    )

    def arguments(self) -> dict:
        args = super().arguments()
        args["method"] = args.get("method") or "map"
        return args


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one field (Django's documented pattern for multiple uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class NoteForm(ActionForm):
    text = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    # the form's metaclass moves declared fields into base_fields: ``self.files`` stays the uploads
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Photos or PDFs (optional)"), required=False, help_text=_("Site photos, documents.")
    )


class ReplyDraftForm(ActionForm):
    text = forms.CharField(label=_("Reply draft"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Evidence files (optional)"), required=False, help_text=_("Photos of the work done, documents.")
    )


class PublicReplyForm(ActionForm):
    text = forms.CharField(
        label=_("Public reply"),
        help_text=_("Shown to open-data users: what was done, in a sentence or two. No names, no phone numbers."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=PUBLIC_REPLY_CHARS,
    )


class SendReplyForm(ActionForm):
    text = forms.CharField(
        label=_("Reply text (empty: the signed draft)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


YES_NO = [("1", _("Yes")), ("0", _("No"))]


def _yes_no(label: StrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect, empty_value=None
    )


class VisitForm(ActionForm):
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    counted = _yes_no(_("Counted"))
    contacted = _yes_no(_("Responded"))
    resolved = _yes_no(_("Resolved"))
    satisfied = _yes_no(_("Satisfied"))


class PreVisitForm(ActionForm):
    called_at = forms.DateTimeField(
        label=_("Called at (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    responded = _yes_no(_("Responded"))
    resolved = _yes_no(_("Resolved"))
    satisfied = _yes_no(_("Satisfied"))
    note = forms.CharField(
        label=_("What the complainant said (required unless resolved and satisfied)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class DecisionForm(ActionForm):
    approved = _yes_no(_("Approve"))
    reason = forms.CharField(
        label=_("Reason (required when refusing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class ExclusionDecisionForm(ActionForm):
    approved = _yes_no(_("Approved upstream"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=5000)


class MergeForm(ActionForm):
    into = forms.CharField(label=_("Merge into ticket number"), max_length=64)


class ExtensionForm(ActionForm):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ExclusionForm(ActionForm):
    reason_category = forms.ChoiceField(label=_("Reason for exclusion"))
    reason = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    evidence = forms.CharField(
        label=_("Evidence (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10000
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Evidence files (optional)"), required=False, help_text=_("Photos, scanned documents.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dispatch.models import ExclusionReason

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason_category"]).choices = ExclusionReason.choices


class SuperviseForm(ActionForm):
    level = forms.ChoiceField(label=_("Supervision"), choices=Supervision.choices, required=False)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=5000)


class BulkDispatchForm(forms.Form):
    tickets = forms.CharField(widget=forms.MultipleHiddenInput)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_center=False, is_active=True)
    )


class VisitFileForm(forms.Form):
    file = forms.FileField(
        label=_("Return-visit results (CSV)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv"})
    )
