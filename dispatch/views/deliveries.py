"""The center's view of the notices that left the app: what failed (every try used up), what is still
being tried, and a "try again" for a failed one (docs/notifications.md)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import access, delivery
from dispatch.models import Delivery, DeliveryStatus


def _require(user: Any) -> None:
    if not access.may(user, "deliveries.read"):
        raise Http404(gettext("The delivery log is for the complaint center."))


@login_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    _require(request.user)
    # the notices of the user's streets: their tickets' and their streets' units' and people's channels
    streets = access.street_ids(request.user)
    mine = Delivery.objects.filter(
        Q(ticket__street_id__in=streets)
        | Q(channel__unit__street_id__in=streets)
        | Q(channel__user__street_id__in=streets)
    )
    rows = mine.select_related("ticket").order_by("-created_at", "-id")
    counts = dict(mine.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    context = {
        "title": _("Outgoing notices"),
        "failed": rows.filter(status=DeliveryStatus.FAILED)[:200],
        "pending": rows.filter(status=DeliveryStatus.PENDING)[:100],
        "sent": rows.filter(status=DeliveryStatus.SENT)[:30],
        "counts": {s: counts.get(s, 0) for s in DeliveryStatus.values},
    }
    return render(request, "dispatch/deliveries.html", context)


@login_required
@require_POST
def retry_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user)
    if not delivery.retry_failed(pk):
        response = render(
            request,
            "dispatch/deliveries.html",
            {"title": _("Outgoing notices"), "refused": gettext("Only a failed delivery can be tried again.")},
            status=409,
        )
        return response
    messages.success(request, gettext("The notice is on its way again."))
    return redirect("deliveries")
