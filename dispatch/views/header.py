"""The page header on every page: who is signed in, their units, unread notifications, the nav, search.

The nav is derived from the role's abilities (``org.abilities``): a page appears when the role may
open it, in the order the role's abilities list it; the first one is the role's home page."""

from django.http import HttpRequest
from django.urls import reverse

from dispatch.models import Notification
from org.abilities import may, pages_for


def page_header(request: HttpRequest) -> dict:
    """Context processor: who is signed in, their units, unread notifications and the role's nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    for page in pages_for(user):
        url = reverse(page.url_name)
        nav.append({"url": url, "label": page.label, "current": request.path.startswith(url)})
    return {
        "header": {
            "nav": nav,
            "unit_names": "、".join(u.name for u in user.units.all()),
            "unread": Notification.objects.filter(user=user, read_at=None).count(),
            "notifications_url": reverse("notifications"),
            # the one search box: the ticket list of every role that has one (dispatch.search)
            "search_url": reverse("workbench") if may(user, "tickets.list") else "",
        }
    }
