"""Shapes of the intake API for the OpenAPI schema. Validation itself is ``intake.formats`` (one row
validator for CSV and JSON), so these serializers describe and never decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from intake.formats import TICKET_COLUMNS


class TicketIntakeSerializer(serializers.Serializer):
    """One ticket as JSON: the columns of the ticket export (docs/domain.md §8), as text."""

    ticket_no = serializers.CharField(max_length=64, help_text=_("工单编号, unique"))
    source = serializers.CharField(help_text="city / district · 市级直派 / 区级转派")
    received_at = serializers.CharField(help_text=_("YYYY-MM-DD HH:MM[:SS] (Beijing time) or ISO 8601 with an offset"))
    kind = serializers.CharField(help_text="consult/help/complaint/report/suggestion · 咨询/求助/投诉/举报/建议")
    category = serializers.CharField(required=False, allow_blank=True, help_text=_("free text; created if new"))
    content = serializers.CharField(help_text=_("stored exactly as sent"))
    complainant_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    complainant_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255)
    community = serializers.CharField(required=False, allow_blank=True, help_text=_("a community of the street"))
    urgency = serializers.CharField(required=False, allow_blank=True, help_text="normal/urgent · 一般/紧急")
    street = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("the street the ticket is for (default: the client's own street); another street's: 403"),
    )


assert {f for f in TicketIntakeSerializer().fields} == {c.code for c in TICKET_COLUMNS} | {"street"}


class TicketReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_no = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("the CSV file: UTF-8 (with or without BOM) or GB18030/GBK"))
    street = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("the street the file is for (default: the client's own street); another street's: 403"),
    )


class ImportResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["tickets", "visits"])
    file_name = serializers.CharField()
    encoding = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    ignored_columns = serializers.ListField(child=serializers.CharField())
    tickets_with_new_latest_visit = serializers.IntegerField(required=False)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(required=False, help_text=_("the row number a spreadsheet shows (header = 1)"))
    line = serializers.IntegerField(
        required=False, help_text=_("the physical line of the file the row starts on (faults of the file's structure)")
    )
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True, required=False)
