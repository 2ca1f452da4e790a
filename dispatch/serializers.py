"""API shapes of tickets (list and detail), their history, notifications, and one request shape per
workflow action (named by its declaration in ``dispatch.workflow``; documented in OpenAPI as a
polymorphic body keyed by ``action``)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dispatch import access
from dispatch.models import (
    Attachment,
    EvidenceFile,
    ExclusionReason,
    ExclusionRequest,
    ExtensionRequest,
    Note,
    Notification,
    ReplyDraft,
    RequestStatus,
    TicketEvent,
)
from dispatch.workflow import CONTACT_METHODS, registry
from dispatch.workflow.handling import PLACE_METHODS
from intake.models import PUBLIC_REPLY_CHARS, Category, Supervision, Ticket, Urgency
from org.models import Unit


class ComplainantSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    masked = serializers.BooleanField(help_text="true when shown masked (张先生 / 138****1234)")


class TicketListSerializer(serializers.ModelSerializer):
    """A ticket in a list: personal data always masked (the full display is on the detail, logged)."""

    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    community = serializers.CharField(source="community.name", default=None, allow_null=True)
    lead_unit = serializers.CharField(source="lead_unit.name", default=None, allow_null=True)
    co_units = serializers.SerializerMethodField()
    complainant = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "ticket_no",
            "source",
            "kind",
            "category",
            "content",
            "address",
            "community",
            "urgency",
            "complainant",
            "status",
            "is_key",
            "is_difficult",
            "supervision",
            "lead_unit",
            "co_units",
            "received_at",
            "dispatched_at",
            "acknowledged_at",
            "first_contact_at",
            "reviewed_at",
            "replied_at",
            "closed_at",
            "public_reply",
            "acknowledge_due_at",
            "contact_due_at",
            "handle_due_at",
            "next_due_kind",
            "next_due_at",
            "warning_level",
            "overdue",
            "rehandling_count",
            "visited_at",
            "visit_counted",
            "visit_contacted",
            "visit_resolved",
            "visit_satisfied",
            "is_excluded",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_co_units(self, ticket: Ticket) -> list[str]:
        names = getattr(ticket, "_jxq_co_unit_names", None)  # a page of the list read them at once
        return names if names is not None else [u.name for u in ticket.co_units.all()]

    @extend_schema_field(ComplainantSerializer)
    def get_complainant(self, ticket: Ticket) -> dict[str, Any]:
        return access.personal_data(self.context["request"].user, ticket, context="api_list", reveal=False)

    def get_overdue(self, ticket: Ticket) -> bool:
        return bool(ticket.next_due_at and ticket.next_due_at <= timezone.now())


class EvidenceFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size", "url"]

    def get_url(self, evidence: EvidenceFile) -> str:
        return reverse("ticket-evidence", args=[evidence.ticket.ticket_no, evidence.pk])


class ReplyDraftSerializer(serializers.ModelSerializer):
    author = serializers.CharField(read_only=True)  # the person as shown: str(user)
    waiting_for = serializers.CharField(allow_null=True)
    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = ReplyDraft
        fields = ["version", "text", "author", "created_at", "chain", "step", "status", "waiting_for"]
        fields += ["signatures", "return_reason", "decided_at", "files"]


class ExclusionRequestSerializer(serializers.ModelSerializer):
    waiting_for = serializers.CharField(allow_null=True)
    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = ExclusionRequest
        fields = ["version", "reason_category", "reason", "evidence", "created_at", "chain", "step", "status"]
        fields += ["waiting_for", "signatures", "return_reason", "decided_at", "files"]


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["days", "reason", "requested_at", "status", "decided_at", "decision_reason", "new_due_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return reverse("ticket-attachment", args=[attachment.note.ticket.ticket_no, attachment.pk])


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(read_only=True)  # the person as shown: str(user)
    author_unit = serializers.CharField(source="author_unit.name", default=None, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Note
        fields = ["id", "text", "author", "author_unit", "created_at", "attachments"]


class TicketDetailSerializer(TicketListSerializer):
    """One ticket: personal data in full only for those who may see it — and then logged."""

    actions = serializers.SerializerMethodField()
    reply_drafts = ReplyDraftSerializer(many=True, read_only=True)
    exclusion_requests = ExclusionRequestSerializer(many=True, read_only=True)
    pending_extension = serializers.SerializerMethodField()
    notes = NoteSerializer(many=True, read_only=True)
    merged_into = serializers.CharField(source="merged_into.ticket_no", default=None, allow_null=True)
    # str() of the person, None when nobody (a "taken_by.__str__" source would render None's method)
    taken_by = serializers.CharField(read_only=True, allow_null=True)

    class Meta(TicketListSerializer.Meta):
        fields = TicketListSerializer.Meta.fields + [
            "actions",
            "reply_drafts",
            "exclusion_requests",
            "pending_extension",
            "notes",
            "merged_into",
            "taken_by",
            "triaged_at",
            "created_at",
        ]

    @extend_schema_field(ComplainantSerializer)
    def get_complainant(self, ticket: Ticket) -> dict[str, Any]:
        return access.personal_data(self.context["request"].user, ticket, context="api_detail")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, ticket: Ticket) -> list[str]:
        return [a.name for a in registry.available_actions(self.context["request"].user, ticket)]

    @extend_schema_field(ExtensionRequestSerializer(allow_null=True))
    def get_pending_extension(self, ticket: Ticket) -> dict[str, Any] | None:
        pending = ticket.extension_requests.filter(status=RequestStatus.PENDING).first()
        return ExtensionRequestSerializer(pending).data if pending else None


class TicketEventSerializer(serializers.ModelSerializer):
    # "receive" is step 1, shown first from the ticket's own receipt (no TicketEvent row holds it)
    kind = serializers.ChoiceField(choices=registry.event_kinds())
    actor = serializers.CharField(read_only=True, allow_null=True)
    actor_unit = serializers.CharField(source="actor_unit.name", default=None, allow_null=True)
    # the metaclass moves declared fields into _declared_fields: Field.label is not shadowed
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = TicketEvent
        fields = ["kind", "label", "actor", "actor_unit", "at", "from_status", "to_status", "data"]

    def get_label(self, event: TicketEvent) -> str:
        return str(registry.event_label(event.kind))


class NotificationSerializer(serializers.ModelSerializer):
    ticket_no = serializers.CharField(source="ticket.ticket_no", default=None, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "ticket_no", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="omit to mark every unread one"
    )


# --- action requests: {"action": NAME, ...fields} ---


class UnitByName(serializers.SlugRelatedField):
    """A unit by its name, among the units of the ticket's street (``context["street_id"]``): unit
    names repeat across streets (docs/district.md)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="name", queryset=Unit.objects.filter(is_active=True), **kwargs)

    def get_queryset(self) -> Any:
        units = Unit.objects.filter(is_active=True)
        street_id = self.context.get("street_id") if hasattr(self, "context") else None
        return units.filter(street_id=street_id) if street_id is not None else units


class CategoryByName(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="name", queryset=Category.objects.all(), **kwargs)


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()


class TriageAction(ActionSerializer):
    category = CategoryByName(required=False)
    urgency = serializers.ChoiceField(Urgency.choices, required=False)
    community = UnitByName(required=False)
    is_key = serializers.BooleanField(required=False)
    is_difficult = serializers.BooleanField(required=False)
    supervision = serializers.ChoiceField(Supervision.choices, required=False, allow_blank=True)
    related = serializers.ListField(child=serializers.CharField(max_length=64), required=False)


class DispatchAction(ActionSerializer):
    lead_unit = UnitByName()
    co_units = serializers.ListField(child=UnitByName(), required=False)


class EmptyAction(ActionSerializer):
    pass


class ReasonAction(ActionSerializer):
    reason = serializers.CharField(max_length=5000)


class ContactAction(ActionSerializer):
    method = serializers.ChoiceField(CONTACT_METHODS)
    outcome = serializers.CharField(max_length=5000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    contacted_at = serializers.DateTimeField(required=False)


class PlaceAction(ActionSerializer):
    """Where the ticket is, from the phone on site: longitude and latitude in degrees."""

    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    method = serializers.ChoiceField(PLACE_METHODS, required=False, default="map")


def _files() -> serializers.ListField:
    """The files an action takes beside its fields (multipart/form-data only)."""
    return serializers.ListField(
        child=serializers.FileField(), required=False, help_text="images or PDFs (multipart/form-data)"
    )


class NoteAction(ActionSerializer):
    """A note as JSON: text only (files cannot travel in JSON)."""

    text = serializers.CharField(max_length=5000)


class NoteWithFilesAction(NoteAction):
    """A note as multipart/form-data, with its photos or PDFs."""

    files = _files()


class TextAction(ActionSerializer):
    text = serializers.CharField(max_length=10000)


class PublicReplyAction(ActionSerializer):
    text = serializers.CharField(max_length=PUBLIC_REPLY_CHARS)


class OptionalTextAction(ActionSerializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class CommentAction(ActionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class VisitAction(ActionSerializer):
    visited_at = serializers.DateTimeField()
    counted = serializers.BooleanField()
    contacted = serializers.BooleanField()
    resolved = serializers.BooleanField()
    satisfied = serializers.BooleanField()


class PreVisitAction(ActionSerializer):
    called_at = serializers.DateTimeField(required=False, help_text="when we called (default: now)")
    responded = serializers.BooleanField()
    resolved = serializers.BooleanField()
    satisfied = serializers.BooleanField()
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="required unless resolved and satisfied"
    )


class DecisionAction(ActionSerializer):
    approved = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class MergeAction(ActionSerializer):
    into = serializers.CharField(max_length=64, help_text="the ticket number this one duplicates")


class ExtensionAction(ActionSerializer):
    days = serializers.IntegerField(min_value=1, max_value=60)
    reason = serializers.CharField(max_length=5000)


class ExclusionAction(ActionSerializer):
    reason_category = serializers.ChoiceField(ExclusionReason.choices)
    reason = serializers.CharField(max_length=5000)
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ExclusionWithFilesAction(ExclusionAction):
    """An exclusion request as multipart/form-data, with its evidence files (photos, scans)."""

    files = _files()


class ReplyDraftWithFilesAction(TextAction):
    """A reply draft as multipart/form-data, with files backing it (photos of the work done)."""

    files = _files()


# the JSON variant of each action that takes files (files cannot travel in JSON)
WITHOUT_FILES = {
    NoteWithFilesAction: NoteAction,
    ExclusionWithFilesAction: ExclusionAction,
    ReplyDraftWithFilesAction: TextAction,
}


class ExclusionDecisionAction(ActionSerializer):
    approved = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class SuperviseAction(ActionSerializer):
    level = serializers.ChoiceField(Supervision.choices, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class NoteOnlyAction(ActionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
