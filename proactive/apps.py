from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _record_triage_decisions(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from proactive.triage_assistant import record_decisions

        record_decisions(instance)


class ProactiveConfig(AppConfig):
    name = "proactive"
    verbose_name = _("Proactive handling")

    def ready(self) -> None:
        # the triage assistant hears of each triage and dispatch event without dispatch knowing of it
        post_save.connect(_record_triage_decisions, sender="dispatch.TicketEvent", dispatch_uid="proactive-triage")
