"""Write the action table of docs/workflow.md from the workflow's declarations (or check it)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dispatch.workflow import registry

BEGIN, END = "<!-- actions:begin -->", "<!-- actions:end -->"


def document() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "workflow.md"


def with_table(text: str) -> str:
    """``text`` with the part between the markers replaced by the generated table."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + registry.markdown_table() + text[end:]


class Command(BaseCommand):
    help = "Write the action table of docs/workflow.md from the declarations (--check: fail if it differs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="do not write; fail when the table is out of date")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = document()
        text = path.read_text(encoding="utf-8")
        wanted = with_table(text)
        if check:
            if wanted != text:
                raise CommandError(f"{path} is out of date: run `manage.py workflow_table`")
            self.stdout.write("the action table is up to date")
            return
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"wrote the action table of {path}")
