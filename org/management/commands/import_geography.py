"""manage.py import_geography FILE: the street's community boundaries and grid cells (docs/geography.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jxq_cases.lib.errors import DomainError
from org.geography import load_geography


class Command(BaseCommand):
    help = "Load the street's community boundaries and grid cells from a GeoJSON file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a GeoJSON FeatureCollection (UTF-8), longitude before latitude")
        parser.add_argument("--street", help="the street whose geography it is (required with several streets)")

    def handle(self, *args, **options):
        try:
            result = load_geography(options["file"], street=options["street"])
        except FileNotFoundError as exc:
            raise CommandError(_("no such file: %(path)s") % {"path": options["file"]}) from exc
        except DomainError as exc:
            for error in exc.errors or []:
                self.stderr.write(error["detail"])
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            _(
                "%(communities)d community areas and %(cells)d grid cells loaded "
                "(%(removed)d grid cells removed)%(demo)s"
            )
            % {
                "communities": result.communities,
                "cells": result.grid_cells,
                "removed": result.removed_grid_cells,
                "demo": _(", marked as demo data") if result.is_demo else "",
            }
        )
