from django.contrib import admin

from proactive.models import CaseMeasure, HotSpot, HotSpotRun, ProactiveCase


@admin.register(HotSpotRun)
class HotSpotRunAdmin(admin.ModelAdmin):
    list_display = ["start_on", "end_on", "ticket_count", "hotspot_count", "started_at", "finished_at"]
    readonly_fields = [f.name for f in HotSpotRun._meta.fields]


@admin.register(HotSpot)
class HotSpotAdmin(admin.ModelAdmin):
    # written by the job only: a hand edit would be lost at the next run
    list_display = ["topic", "community", "place", "ticket_count", "first_received_at", "last_received_at", "run"]
    list_filter = ["community", "run"]
    search_fields = ["topic", "place"]
    readonly_fields = [f.name for f in HotSpot._meta.fields]


class CaseMeasureInline(admin.TabularInline):
    model = CaseMeasure
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(ProactiveCase)
class ProactiveCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "community", "created_by", "opened_at", "closed_at"]
    list_filter = ["status", "community"]
    search_fields = ["title"]
    raw_id_fields = ["tickets", "hotspot"]
    inlines = [CaseMeasureInline]
