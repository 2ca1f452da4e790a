from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: demo data made by playing stories through every app's real code."""

    name = "demo"
    verbose_name = "demo"
