"""What the import commands share: the arguments, the actor, and how a result or a refusal is printed."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from intake.formats import RowError
from intake.importers import ImportResult
from jxq_cases.lib.errors import DomainError


def add_import_arguments(parser) -> None:
    parser.add_argument("file", help="the CSV file (UTF-8 with or without BOM, or GB18030/GBK)")
    parser.add_argument("--user", help="username recorded as the importer (default: none)")
    parser.add_argument(
        "--street", help="the street the file is for (required when the database holds several streets)"
    )


def run_import(command, importer, options) -> ImportResult:
    """Run ``importer`` on the file; print the counts, or every listed bad row and exit non-zero."""
    from org.models import User

    actor = None
    if options.get("user"):
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(_("no user named %(name)r") % {"name": options["user"]})
    path = options["file"]
    try:
        result = importer(path, actor=actor, file_name=str(path), street=options.get("street") or None)
    except DomainError as exc:
        for error in exc.errors or []:
            command.stderr.write(_error_line(error))
        raise CommandError(exc.detail) from exc
    command.stdout.write(
        _("%(rows)d rows (%(encoding)s): %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
        % {
            "rows": result.rows,
            "encoding": result.encoding,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    )
    if result.ignored_columns:
        command.stdout.write(_("ignored columns: %(names)s") % {"names": ", ".join(result.ignored_columns)})
    return result


def _error_line(error: dict) -> str:
    return str(RowError(error.get("row"), error["column"], error["value"], error["reason"], line=error.get("line")))
