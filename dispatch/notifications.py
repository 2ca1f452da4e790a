"""In-app notifications (and email through Django's email backend where users have an address), and
the same notices on their way out of the app by the units' and people's channels (``dispatch.delivery``:
WeCom group robots, webhooks; sent by Celery workers).

The workflow queues them with ``transaction.on_commit`` so that nobody is told about a change that
was rolled back; the warning task calls ``notify`` directly after its claim committed.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import delivery
from dispatch.models import Notification
from org.models import Role, User

log = logging.getLogger(__name__)


def recipients(
    *,
    user_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    roles: Iterable[str] = (),
    street_id: int | None = None,
) -> set[int]:
    """Active users: the given ones, the handlers of the given units, and everyone with the given roles
    (of ``street_id``'s street when given: its own people and the members of its units)."""
    ids = set(user_ids)
    unit_ids = [u for u in unit_ids if u]
    if unit_ids:
        ids |= set(
            User.objects.filter(units__in=unit_ids, role=Role.UNIT_HANDLER, is_active=True).values_list("id", flat=True)
        )
    roles = list(roles)
    if roles:
        people = User.objects.filter(role__in=roles, is_active=True)
        if street_id is not None:
            people = people.filter(Q(street_id=street_id) | Q(units__street_id=street_id))
        ids |= set(people.values_list("id", flat=True))
    return ids


def send_out(kind: str, messages: list[delivery.Message], *, markdown: bool = False) -> None:
    """Queue the outgoing deliveries; a fault there must not lose the in-app notifications."""
    try:
        delivery.queue(kind, messages, markdown=markdown)
    except Exception:
        log.exception("could not queue the outgoing %s notices", kind)


def notify(
    user_ids: Iterable[int],
    *,
    ticket_id: int | None,
    kind: str,
    text: str,
    unit_ids: Iterable[int] = (),
    markdown: bool = False,
) -> list[Notification]:
    """Create one notification per user, send the same text by email to those with an address, and
    queue it for the users' channels and the ``unit_ids``' channels (their WeCom groups)."""
    user_ids = sorted(set(user_ids))
    unit_ids = sorted({u for u in unit_ids if u})
    send_out(
        kind,
        [delivery.Message(ticket_id, text, user_id=u) for u in user_ids]
        + [delivery.Message(ticket_id, text, unit_id=u) for u in unit_ids],
        markdown=markdown,
    )
    if not user_ids:
        return []
    rows = Notification.objects.bulk_create(
        [Notification(user_id=u, ticket_id=ticket_id, kind=kind, text=text) for u in user_ids]
    )
    emails = [e for e in User.objects.filter(id__in=user_ids).values_list("email", flat=True) if e]
    if emails:
        subject = text.splitlines()[0][:100]
        try:
            send_mass_mail([(subject, text, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails])
        except Exception:  # an unreachable mail server must not lose the in-app notifications
            log.exception("could not email notification %s", kind)
    return rows


def notify_batch(
    messages: list[tuple[int, int | None, str]], *, kind: str, unit_messages: Iterable[tuple[int, int | None, str]] = ()
) -> int:
    """Many notifications at once (user, ticket, text); one email per user lists all of theirs, and one
    delivery per channel of theirs or of the ``unit_messages``' units (unit, ticket, text) lists all."""
    send_out(
        kind,
        [delivery.Message(t, text, user_id=u) for u, t, text in messages]
        + [delivery.Message(t, text, unit_id=u) for u, t, text in unit_messages],
    )
    if not messages:
        return 0
    Notification.objects.bulk_create(
        [Notification(user_id=u, ticket_id=t, kind=kind, text=text) for u, t, text in messages], batch_size=2000
    )
    texts: dict[int, list[str]] = {}
    for user_id, _ticket, text in messages:
        texts.setdefault(user_id, []).append(text)
    addresses = dict(User.objects.filter(id__in=texts, email__gt="").values_list("id", "email"))
    mails = [
        (
            _("%(count)s ticket warnings") % {"count": len(lines)} if len(lines) > 1 else lines[0][:100],
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [addresses[u]],
        )
        for u, lines in texts.items()
        if u in addresses
    ]
    if mails:
        try:
            send_mass_mail(mails)
        except Exception:  # an unreachable mail server must not lose the in-app notifications
            log.exception("could not email %s notifications", kind)
    return len(messages)


def notify_after_commit(
    *,
    ticket_id: int | None,
    kind: str,
    text: str,
    user_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    roles: Iterable[str] = (),
    street_id: int | None = None,
    exclude_user_id: int | None = None,
) -> None:
    user_ids, unit_ids, roles = list(user_ids), list(unit_ids), list(roles)

    def send() -> None:
        ids = recipients(user_ids=user_ids, unit_ids=unit_ids, roles=roles, street_id=street_id) - {exclude_user_id}
        groups = [*unit_ids, *delivery.center_unit_ids(roles, street_id)]
        notify(ids, ticket_id=ticket_id, kind=kind, text=text, unit_ids=groups)

    transaction.on_commit(send)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None); returns how many."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())
