from django.core.management.base import BaseCommand

from demo.accounts import demo_account_lines


class Command(BaseCommand):
    help = "Print the demo accounts (one per role) and their password."

    def handle(self, *args, **options):
        for line in demo_account_lines():
            self.stdout.write(line)
