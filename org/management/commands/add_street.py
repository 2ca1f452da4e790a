from django.core.management.base import BaseCommand, CommandError

from jxq_cases.lib.errors import DomainError
from org.streets import add_street, read_unit_file


class Command(BaseCommand):
    help = (
        "Create a street in its district with its units and its complaint center: from a unit file "
        "(CSV name,kind[,center]; docs/district.md) or the Jiuxianqiao unit list."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--district", required=True, metavar="NAME")
        parser.add_argument(
            "--units", default=None, metavar="FILE", help="CSV name,kind[,center] (default: Jiuxianqiao's)"
        )

    def handle(self, *args, name, district, units, **options):
        try:
            specs = read_unit_file(units) if units else None
            street = add_street(name, district, specs)
        except (DomainError, OSError) as error:
            raise CommandError(getattr(error, "detail", None) or str(error)) from error
        count = street.units.count()
        self.stdout.write(f"created {street.name} ({street.district.name}) with {count} units")
