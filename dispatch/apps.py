from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch and handling")

    def ready(self) -> None:
        # The workflow's declarations fill the action registry that dispatch.access and the views ask.
        import dispatch.workflow  # noqa: F401
