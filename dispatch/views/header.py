"""The page header on every page: who is signed in, their units, unread notifications, the nav."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dispatch.models import (
    Notification,
)
from org.models import Role

# Navigation per role: (url name, label). Where each role lands first is org.views.HOME_BY_ROLE.
NAV_BY_ROLE = {
    Role.CENTER_STAFF: [
        ("workbench", _("Workbench")),
        ("visit-import", _("Return visits")),
        ("dashboard", _("Dashboard")),
        ("reports", _("Reports")),
        ("proactive", _("Proactive handling")),
    ],
    Role.UNIT_HANDLER: [("inbox", _("My unit's tickets")), ("workbench", _("All my tickets"))],
    Role.SECTION_LEADER: [
        ("signoff-queue", _("Sign-off queue")),
        ("workbench", _("Tickets")),
        ("dashboard", _("Dashboard")),
        ("reports", _("Reports")),
        ("proactive", _("Proactive handling")),
    ],
    Role.PRINCIPAL_LEADER: [
        ("dashboard", _("Dashboard")),
        ("signoff-queue", _("Sign-off queue")),
        ("workbench", _("Tickets")),
        ("reports", _("Reports")),
        ("proactive", _("Proactive handling")),
    ],
    Role.INSPECTOR: [
        ("reports", _("Reports")),
        ("dashboard", _("Dashboard")),
        ("workbench", _("Tickets")),
        ("proactive", _("Proactive handling")),
    ],
    Role.PLATFORM: [],
}

# How a refusal reads on the page; the workflow's own detail follows it.


def page_header(request: HttpRequest) -> dict:
    """Context processor: who is signed in, their units, unread notifications and the role's nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    for name, label in NAV_BY_ROLE.get(user.role, []):
        url = reverse(name)
        nav.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return {
        "header": {
            "nav": nav,
            "unit_names": "、".join(u.name for u in user.units.all()),
            "unread": Notification.objects.filter(user=user, read_at=None).count(),
            "notifications_url": reverse("notifications"),
        }
    }
