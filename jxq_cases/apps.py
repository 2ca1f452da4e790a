from django.apps import AppConfig


class JxqCasesConfig(AppConfig):
    """The project package as an app: home of the commands that span every app (demo data)."""

    name = "jxq_cases"
    verbose_name = "jxq_cases"
