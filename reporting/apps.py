from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _fold_after_import(sender: object, street: Any = None, **kwargs: Any) -> None:
    from reporting import tally

    tally.fold(street.pk if street is not None else None)


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from intake.signals import imported

        # an import's counts go into the monthly tallies at once (reporting.tally)
        imported.connect(_fold_after_import, dispatch_uid="reporting-fold-after-import")
