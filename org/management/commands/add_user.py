from django.core.management.base import BaseCommand, CommandError

from jxq_cases.lib.errors import DomainError
from org.accounts import create_user
from org.models import Role


class Command(BaseCommand):
    help = "Create an account with a role and its units (for a section leader: the units they oversee)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", action="append", default=[], dest="units", metavar="NAME")
        parser.add_argument("--password", default=None)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--street", default=None, help="the person's street (default: the only street)")
        parser.add_argument("--district", default=None, help="district roles: their district (default: the only one)")

    def handle(self, *args, username, role, units, password, display_name, street, district, **options):
        try:
            user = create_user(
                username,
                role=role,
                unit_names=units,
                password=password,
                display_name=display_name,
                street=street,
                district=district,
            )
        except DomainError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(f"created {user.username} ({user.get_role_display()})")
