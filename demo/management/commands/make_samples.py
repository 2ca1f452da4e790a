"""``manage.py make_samples [--output DIR]``: one sample of each document from the demo street."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from demo.samples import make_samples
from jxq_cases.lib.errors import DomainError


class Command(BaseCommand):
    help = "Write a ticket file (PDF), a monthly bulletin and a weekly analysis (Word) and a ledger (Excel)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/samples", help="directory (default docs/samples)")

    def handle(self, *args, output, **options):
        try:
            with translation.override("zh-hans"):
                paths = make_samples(Path(output))
        except DomainError as error:
            raise CommandError(error.detail) from error
        for path in paths.values():
            self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
