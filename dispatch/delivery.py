"""Notices that leave the app: a unit's WeCom group robot, a person's webhook (docs/notifications.md).

``queue`` runs where the in-app notifications are written — after the workflow's commit — and writes
one ``Delivery`` row per channel, then hands each row's id to Celery. Nothing here runs inside a
workflow transaction or waits for an endpoint: the POST happens in a worker (``attempt``).

Each try is claimed with a conditional update (pending and due): the claim moves ``next_attempt_at``
past the try's timeout, so a second copy of the message, or the sweeper, finds nothing to claim while a
try is under way. A failed try is tried again after ``NOTIFY_RETRY_SECONDS`` × 2^(tries−1) (at most
``NOTIFY_RETRY_MAX_SECONDS``); after ``NOTIFY_MAX_ATTEMPTS`` tries the row is ``failed`` and the
center's delivery page lists it. When the broker is down at queueing time, or a worker dies mid-try,
the row stays pending and the sweeper (``requeue_due``, every minute) queues it again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import Delivery, DeliveryStatus
from intake.models import Ticket
from jxq_cases.lib import webhooks
from org.models import Channel, ChannelKind, Role, Unit

log = logging.getLogger(__name__)

# The notices that leave the app (every other kind stays in the in-app list and e-mail).
OUTBOUND_KINDS = frozenset(
    {
        "dispatched",  # a new ticket for the unit
        "co_dispatched",
        "reopened",  # second handling after a double-no visit
        "due_soon",
        "overdue",
        "sign_off_needed",  # a reply draft waits for this signer
        "exclusion_sign_off_needed",
        "extension_requested",
        "not_double_yes",  # a double-no visit: the center decides on second handling
        "supervised",  # to the lead unit and to the leaders
        "key_ticket",  # a key or supervised ticket dispatched: to the leaders
        "digest",  # the leaders' nightly digest
    }
)


@dataclass(frozen=True)
class Message:
    """One line for one recipient: a person (``user_id``) or a unit (``unit_id``)."""

    ticket_id: int | None
    text: str
    user_id: int | None = None
    unit_id: int | None = None


def center_unit_ids(roles: Iterable[str], street_id: int | None = None) -> list[int]:
    """A notice for the center staff also goes to the center's own group (of ``street_id``'s street)."""
    if Role.CENTER_STAFF not in set(roles):
        return []
    centers = Unit.objects.filter(is_center=True)
    if street_id is not None:
        centers = centers.filter(street_id=street_id)
    return list(centers.values_list("id", flat=True))


def queue(kind: str, messages: list[Message], *, markdown: bool = False) -> list[Delivery]:
    """Write one delivery per active channel of the messages' recipients and queue each for a worker.
    A channel with several messages of one run (the warnings) gets them in one delivery."""
    if kind not in OUTBOUND_KINDS or not messages:
        return []
    user_ids = {m.user_id for m in messages if m.user_id}
    unit_ids = {m.unit_id for m in messages if m.unit_id}
    if not user_ids and not unit_ids:
        return []
    channels = list(
        Channel.objects.filter(is_active=True)
        .filter(Q(user_id__in=user_ids) | Q(unit_id__in=unit_ids))
        .select_related("unit", "user")
        .order_by("id")
    )
    if not channels:
        return []
    lines: dict[int, list[Message]] = defaultdict(list)
    for channel in channels:
        for m in messages:
            if (channel.user_id and channel.user_id == m.user_id) or (channel.unit_id and channel.unit_id == m.unit_id):
                lines[channel.pk].append(m)
    numbers = dict(
        Ticket.objects.filter(pk__in={m.ticket_id for m in messages if m.ticket_id}).values_list("pk", "ticket_no")
    )
    rows = []
    for channel in channels:
        mine = _unique(lines[channel.pk])
        if not mine:
            continue
        rows.append(
            Delivery(
                channel=channel,
                channel_kind=channel.kind,
                recipient=channel.recipient[:150],
                notice_kind=kind,
                ticket_id=mine[0].ticket_id if len(mine) == 1 else None,
                text=_compose(mine, numbers, markdown=markdown),
                markdown=markdown,
            )
        )
    rows = Delivery.objects.bulk_create(rows)
    for row in rows:
        transaction.on_commit(partial(enqueue, row.pk))
    return rows


def _unique(messages: list[Message]) -> list[Message]:
    seen, out = set(), []
    for m in messages:
        key = (m.ticket_id, m.text)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def ticket_link(ticket_no: str) -> str:
    """The ticket page's full address when ``NOTIFY_SITE_URL`` is set (else nothing)."""
    base = (settings.NOTIFY_SITE_URL or "").rstrip("/")
    return f"{base}{reverse('ticket', args=[ticket_no])}" if base else ""


def _compose(messages: list[Message], numbers: dict[int, str], *, markdown: bool) -> str:
    if len(messages) == 1:
        m = messages[0]
        link = ticket_link(numbers[m.ticket_id]) if m.ticket_id in numbers and not markdown else ""
        return f"{m.text}\n{link}" if link else m.text
    head = _("%(count)s notices:") % {"count": len(messages)}
    return "\n".join([head, *(f"- {m.text}" for m in messages)])


def enqueue(delivery_id: int) -> bool:
    """Hand the delivery to a worker; a broker that is down leaves it pending for the sweeper."""
    from dispatch.tasks import deliver_task

    try:
        deliver_task.apply_async((delivery_id,))
        return True
    except Exception:  # the broker is down: never let that reach the request that caused the notice
        log.warning("delivery %s not queued (broker unavailable); the sweeper will queue it", delivery_id)
        return False


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones."""
    return min(settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0), settings.NOTIFY_RETRY_MAX_SECONDS)


def _claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one try if it is pending and due; None if sent, failed, or being tried."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NOTIFY_TIMEOUT_SECONDS * 2 + 30)
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(_due(now))
        .update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=lease)
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("channel", "ticket").get(pk=delivery_id)


def _due(now: datetime) -> Q:
    # a second of slack for a retry message whose countdown ends a moment before the row's time
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1))


def payload(delivery: Delivery) -> dict:
    channel = delivery.channel
    mobile = channel.address if channel else ""
    if delivery.channel_kind == ChannelKind.WECOM_ROBOT:
        return webhooks.wecom_payload(delivery.text, markdown=delivery.markdown, mention=mobile)
    ticket_no = delivery.ticket.ticket_no if delivery.ticket else None
    return {
        "delivery": delivery.pk,
        "kind": delivery.notice_kind,
        "text": delivery.text,
        "markdown": delivery.markdown,
        "ticket_no": ticket_no,
        "link": ticket_link(ticket_no) if ticket_no else "",
        "recipient": {"name": delivery.recipient, "mobile": mobile},
        "created_at": delivery.created_at.isoformat(),
    }


def attempt(delivery_id: int) -> str | None:
    """One try of one delivery (the worker's task). Returns the status it left, or None if there was
    nothing to try. Asks for the next try itself (``retry`` callback) when one is due."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    channel = delivery.channel
    if channel is None or not channel.is_active:
        answer = webhooks.Answer(False, _("the channel was removed or switched off"))
        final = True
    else:
        headers = {"X-JXQ-Delivery": str(delivery.pk)}
        answer = webhooks.post(channel.kind, channel.url, payload(delivery), secret=channel.secret, headers=headers)
        final = delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    now = timezone.now()
    if answer.ok:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=""
        )
        return DeliveryStatus.SENT
    if final:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=answer.error
        )
        log.warning("delivery %s failed for good after %s tries: %s", delivery.pk, delivery.attempts, answer.error)
        return DeliveryStatus.FAILED
    wait = backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=now + timedelta(seconds=wait), last_error=answer.error
    )
    from dispatch.tasks import deliver_task

    try:
        deliver_task.apply_async((delivery.pk,), countdown=wait)
    except Exception:  # the sweeper queues it again once the broker is back
        log.warning("retry of delivery %s not queued; the sweeper will", delivery.pk)
    return DeliveryStatus.PENDING


def requeue_due(older_than_seconds: float = 60) -> int:
    """The sweeper: queue again the pending deliveries whose time has passed by more than a minute
    (never queued, their retry message lost, or their worker gone mid-try)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)

    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .values_list("pk", flat=True)[:1000]
    )
    return sum(enqueue(pk) for pk in ids)


def retry_failed(delivery_id: int) -> bool:
    """The center's "try again": a failed delivery starts over with a fresh count of tries."""
    reset = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
    )
    if reset:
        transaction.on_commit(lambda: enqueue(delivery_id))
    return bool(reset)
