"""The two views that belong to no app: the liveness probe and /favicon.ico.

They live in the floor (``jxq_cases.lib``: imports no app) because they are about the site, not about
any app's data; ``jxq_cases.urls`` routes them.
"""

from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static


def healthz(request):
    """Liveness for the container health check: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """/favicon.ico, for clients that ask for it without reading the page: a temporary redirect to the
    icon's current URL (with DEBUG off a hashed name that changes with the file, so never permanent)."""
    return HttpResponseRedirect(static("favicon.ico"))
