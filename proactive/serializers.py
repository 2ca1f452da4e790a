import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from intake.models import Category
from org.models import Unit
from proactive.models import CaseMeasure, HotSpot, ProactiveCase


class SimilarTicketSerializer(serializers.Serializer):
    ticket_no = serializers.CharField(source="ticket.ticket_no")
    received_at = serializers.DateTimeField(source="ticket.received_at")
    status = serializers.CharField(source="ticket.status")
    community = serializers.CharField(source="ticket.community.name", default="")
    category = serializers.CharField(source="ticket.category.name", default="")
    content = serializers.CharField(source="ticket.content")
    score = serializers.FloatField(source="similarity.score")
    shared_words = serializers.ListField(source="similarity.shared_words", child=serializers.CharField())
    same_community = serializers.BooleanField(source="similarity.same_community")
    same_category = serializers.BooleanField(source="similarity.same_category")
    why = serializers.SerializerMethodField()

    def get_why(self, obj) -> list[str]:
        return obj.similarity.reasons()


# A window's days are counted back from its end: dates far outside the hotline's years would
# overflow the calendar, so they are refused as invalid input (400).
WINDOW_DATES = [MinValueValidator(dt.date(2000, 1, 1)), MaxValueValidator(dt.date(2099, 12, 31))]


class HotSpotWindowSerializer(serializers.Serializer):
    start_on = serializers.DateField(required=False, validators=WINDOW_DATES)
    end_on = serializers.DateField(required=False, validators=WINDOW_DATES)

    def validate(self, attrs):
        if attrs.get("start_on") and attrs.get("end_on") and attrs["start_on"] > attrs["end_on"]:
            raise serializers.ValidationError("start_on is after end_on")
        return attrs


class HotSpotRunRequestSerializer(serializers.Serializer):
    end_on = serializers.DateField(required=False, validators=WINDOW_DATES)
    days = serializers.IntegerField(required=False, min_value=7, max_value=366)


class HotSpotSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", default="")
    category = serializers.CharField(source="category.name", default="")

    class Meta:
        model = HotSpot
        fields = [
            "id",
            "topic",
            "keywords",
            "community",
            "place",
            "category",
            "ticket_count",
            "first_received_at",
            "last_received_at",
            "trend",
        ]


class CaseMeasureSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="name", queryset=Unit.objects.all(), required=False, allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = CaseMeasure
        fields = ["id", "taken_on", "description", "unit", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class ProactiveCaseSerializer(serializers.ModelSerializer):
    # a plain string, not an enum: the ticket's "status" enum owns that component name in the schema
    status = serializers.CharField(read_only=True, help_text="draft / open / closed")
    community = serializers.CharField(source="community.name", default="")
    category = serializers.CharField(source="category.name", default="")
    units = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    tickets = serializers.SlugRelatedField(slug_field="ticket_no", many=True, read_only=True)
    measures = CaseMeasureSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username")
    opened_by = serializers.CharField(source="opened_by.username", default=None, allow_null=True)

    class Meta:
        model = ProactiveCase
        fields = [
            "id",
            "title",
            "status",
            "hotspot",
            "keywords",
            "community",
            "category",
            "units",
            "tickets",
            "measures",
            "created_by",
            "created_at",
            "opened_by",
            "opened_at",
            "closed_at",
            "conclusion",
        ]


class CaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    hotspot = serializers.PrimaryKeyRelatedField(queryset=HotSpot.objects.all(), required=False, allow_null=True)
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=10)
    community = serializers.SlugRelatedField(
        slug_field="name", queryset=Unit.objects.filter(kind="community"), required=False, allow_null=True
    )
    category = serializers.SlugRelatedField(
        slug_field="name", queryset=Category.objects.all(), required=False, allow_null=True
    )
    units = serializers.SlugRelatedField(slug_field="name", queryset=Unit.objects.all(), many=True, required=False)
    tickets = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=1000)


class TicketLinkSerializer(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=1000)


class CaseCloseSerializer(serializers.Serializer):
    conclusion = serializers.CharField()


# --- response shapes, for the OpenAPI document ---


class SimilarResponseSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    threshold = serializers.FloatField()
    results = SimilarTicketSerializer(many=True)


class WeekCountSerializer(serializers.Serializer):
    week_on = serializers.DateField()
    count = serializers.IntegerField()


class HotSpotItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    topic = serializers.CharField()
    community = serializers.CharField()
    ticket_count = serializers.IntegerField(help_text="tickets of the hot spot received within the dates")
    trend = WeekCountSerializer(many=True)
    place = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    total_count = serializers.IntegerField(help_text="tickets of the hot spot over its run's window")


class HotSpotListSerializer(serializers.Serializer):
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    results = HotSpotItemSerializer(many=True)


class HotSpotTicketSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    received_at = serializers.DateTimeField()
    content = serializers.CharField()
    address = serializers.CharField()
    status = serializers.CharField()


class HotSpotDetailSerializer(HotSpotSerializer):
    tickets = HotSpotTicketSerializer(many=True, read_only=True)

    class Meta(HotSpotSerializer.Meta):
        fields = [*HotSpotSerializer.Meta.fields, "tickets"]


class HotSpotRunQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    end_on = serializers.DateField()


class CaseWeekSerializer(WeekCountSerializer):
    phase = serializers.ChoiceField(choices=["before", "after"])


class CaseVolumeSerializer(serializers.Serializer):
    pivot_on = serializers.DateField()
    weeks = CaseWeekSerializer(many=True)
    before_total = serializers.IntegerField()
    after_total = serializers.IntegerField()
    before_weekly_mean = serializers.FloatField()
    after_weekly_mean = serializers.FloatField()


class CaseDetailSerializer(ProactiveCaseSerializer):
    volume = CaseVolumeSerializer(read_only=True)

    class Meta(ProactiveCaseSerializer.Meta):
        fields = [*ProactiveCaseSerializer.Meta.fields, "volume"]


class CaseListSerializer(serializers.Serializer):
    results = ProactiveCaseSerializer(many=True)


class CaseLinkedSerializer(CaseDetailSerializer):
    added = serializers.IntegerField(read_only=True)

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "added"]


class SuggestedValueSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null: not enough evidence for a suggestion")
    name = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    alternatives = serializers.ListField(child=serializers.DictField(), help_text="[{id, name, confidence}]")


class SuggestedCoUnitsSerializer(serializers.Serializer):
    units = serializers.ListField(child=serializers.DictField(), help_text="[{id, name, confidence}]")
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionsResponseSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    status = serializers.ChoiceField(choices=["ok", "insufficient_history"])
    detail = serializers.CharField(allow_blank=True)
    model = serializers.DictField(allow_null=True, help_text="{id, trained_at, ticket_count}")
    community = SuggestedValueSerializer(required=False)
    category = SuggestedValueSerializer(required=False)
    lead_unit = SuggestedValueSerializer(required=False)
    co_units = SuggestedCoUnitsSerializer(required=False)
