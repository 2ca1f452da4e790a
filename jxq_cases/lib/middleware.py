"""Request checks that hold for every URL, before any view runs.

``refuse_nul_characters``: a NUL character (``%00``) in the path, in a query parameter or in a
submitted form's field is answered 400. PostgreSQL text cannot hold one, so psycopg2 raises when
such a value reaches a query (a ticket number taken from the path, a name read from the query
string) and the request would end in a 500; no page, API or Open311 URL has a use for it. Django's
form fields refuse it too, but several views read a posted value directly (ticket numbers to
dispatch, an address to place).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext

NUL = "\x00"


def _nul_in(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _nul_in(request.GET):
        return True
    # the pages' forms too (a ticket number or an address read straight from the form); the API's
    # bodies are parsed by DRF, whose fields refuse NUL with the field named
    return request.method == "POST" and not request.path.startswith("/api/") and _nul_in(request.POST)


def refuse_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = gettext("The address holds a NUL character, which no page accepts.")
            if request.path.startswith("/open311/"):  # the spec's error list
                return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
            if request.path.startswith("/api/"):  # the API's error body (jxq_cases.lib.api_errors)
                return JsonResponse({"code": "invalid", "detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
