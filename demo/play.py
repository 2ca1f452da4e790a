"""Playing the demo stories through the real code, in the order of a simulated clock.

Each ticket arrives through the JSON intake path the upstream platform uses
(``dispatch.upstream.receive_ticket_and_record``, as the demo's platform account); its story
(``demo.stories``) then calls the ``dispatch.workflow`` functions as the demo accounts, with ``now=``
set to the simulated time. Every morning at 10:00 the center imports the city's return-visit
results of the day before with the real visit import (``intake.importers.import_visits`` and
``dispatch.workflow.apply_imported_visits``, ``now=`` the import time). A step due after the end is
not played: the ticket stays where its story stands at the end.

Everything runs in one transaction, so a refused run leaves nothing behind. The code under test
stamps a few columns with the wall clock (a ticket's and a batch's creation, notifications); those
are moved onto the simulated clock afterwards, so the timeline, the imports page and the inbox read
like the street's real past.
"""

from __future__ import annotations

import heapq
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from demo.arrivals import DAY, HOUR, LOCAL_OFFSET, LocalTimes
from demo.cast import Cast
from demo.stories import Plot, Step, Story, VisitCall
from dispatch.models import Notification, TicketEvent
from dispatch.upstream import receive_ticket_and_record
from dispatch.workflow import apply_imported_visits
from intake.importers import import_visits
from intake.models import ImportBatch, ReturnVisit, Ticket
from intake.receiving import CREATED
from jxq_cases.lib.errors import DomainError, ErrorCode

VISIT_IMPORT_HOUR = 10  # local time of the center's daily import of the city's visit results
VISITS_KNOWN_AFTER = 2 * HOUR  # a visit is in the results file imported at least this long after it


def moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class Played:
    """One ticket's story as it stands at the end."""

    plot: Plot
    ticket: Ticket
    finished: bool = False  # the story ended before the end (nothing more would happen)
    held: bool = False  # a scene stopped before its held step


@dataclass
class PlayResult:
    played: list[Played] = field(default_factory=list)  # in arrival order
    steps: int = 0
    visit_imports: int = 0

    @property
    def ticket_ids(self) -> list[int]:
        return [p.ticket.pk for p in self.played]


class _Engine:
    def __init__(self, plots: list[Plot], *, cast: Cast, seed: int, end: int):
        self.cast, self.seed, self.end = cast, seed, end
        self.plots = plots
        self.queue: list[tuple[int, int, str, object]] = []
        self.order = 0
        self.clock = 0
        self.result = PlayResult()
        self.waiting: list[tuple[VisitCall, Played, object]] = []  # visits not imported yet
        self.local = LocalTimes()
        self.stamps = _NotificationClock()
        self.visit_batches: list[tuple[int, int]] = []  # (batch id, import time)

    def push(self, at: int, kind: str, payload) -> None:
        self.order += 1
        heapq.heappush(self.queue, (at, self.order, kind, payload))

    def run(self) -> PlayResult:
        for plot in self.plots:
            self.push(plot.received, "arrive", plot)
        if self.plots:
            first = min(p.received for p in self.plots)
            tick = (first + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET + VISIT_IMPORT_HOUR * HOUR
            self.push(tick if tick > first else tick + DAY, "visits", None)
        while self.queue:
            at, _order, kind, payload = heapq.heappop(self.queue)
            if at > self.end:
                break
            self.clock = at
            if kind == "arrive":
                self.arrive(payload)
            elif kind == "step":
                self.step(*payload)
            else:
                self.import_visits(at)
                self.push(at + DAY, "visits", None)
        return self.result

    # --- arrivals ---

    def arrive(self, plot: Plot) -> None:
        fields = plot.fields
        community = fields["community"]
        received = self.local(plot.received + LOCAL_OFFSET)
        outcome = receive_ticket_and_record(
            {
                "ticket_no": plot.ticket_no,
                "source": fields["source"],
                "received_at": received,
                "kind": fields["kind"],
                "category": fields["category"],
                "content": fields["content"],
                "complainant_name": fields["name"],
                "complainant_phone": fields["phone"],
                "address": fields["address"],
                "community": community[0] if community else "",
                "urgency": fields["urgency"],
            },
            actor=self.cast.platform,
        )
        if outcome.outcome != CREATED:
            raise DomainError(ErrorCode.CONFLICT, _("demo ticket %(no)s exists already") % {"no": plot.ticket_no})
        played = Played(plot, outcome.ticket)
        self.result.played.append(played)
        story = Story(plot, self.cast, self.seed)
        self.advance(played, story.run(outcome.ticket), None)

    # --- the stories ---

    def advance(self, played: Played, generator, sent, error: DomainError | None = None) -> None:
        """Run the story to its next step and queue it (or hold it, or end it)."""
        try:
            item = generator.throw(error) if error is not None else generator.send(sent)
        except StopIteration:
            played.finished = True
            return
        except DomainError as refused:
            ticket = played.ticket
            raise DomainError(
                refused.code,
                f"the demo story of ticket {ticket.ticket_no} was refused by the workflow: {refused.detail}",
            ) from refused
        if isinstance(item, VisitCall):
            self.waiting.append((item, played, generator))
            return
        scene = played.plot.scene
        if scene and item.action in scene.hold and (scene.hold_role is None or item.actor.role == scene.hold_role):
            played.held = True
            return
        self.push(max(item.at, self.clock), "step", (played, generator, item))

    def step(self, played: Played, generator, step: Step) -> None:
        try:
            ticket = step.action(played.ticket, actor=step.actor, now=moment(self.clock), **step.kwargs)
        except DomainError as refused:
            self.advance(played, generator, None, refused)
            return
        played.ticket = ticket
        self.result.steps += 1
        transaction.on_commit(self.stamps.at(self.clock))
        self.advance(played, generator, (ticket, self.clock))

    # --- the city's return visits, imported every morning ---

    def import_visits(self, at: int) -> None:
        due = [w for w in self.waiting if w[0].visited_at <= at - VISITS_KNOWN_AFTER]
        if not due:
            return
        self.waiting = [w for w in self.waiting if w[0].visited_at > at - VISITS_KNOWN_AFTER]
        rows = ["ticket_no,visited_at,counted,contacted,resolved,satisfied"]
        for call, played, _generator in due:
            flags = ("yes" if flag else "no" for flag in (call.counted, call.contacted, call.resolved, call.satisfied))
            rows.append(",".join([played.ticket.ticket_no, self.local(call.visited_at + LOCAL_OFFSET), *flags]))
        day = self.local(at + LOCAL_OFFSET)[:10]
        stream = io.BytesIO(("\n".join(rows) + "\n").encode())
        imported = import_visits(stream, actor=self.cast.center, file_name=f"visits-{day}.csv")
        apply_imported_visits(imported.changed_ticket_ids, actor=self.cast.center, now=moment(at))
        transaction.on_commit(self.stamps.at(at))
        self.visit_batches.append((imported.batch.pk, at))
        self.result.visit_imports += 1
        fresh = Ticket.objects.in_bulk([played.ticket.pk for _call, played, _g in due])
        for _call, played, generator in due:
            played.ticket = fresh[played.ticket.pk]
            self.advance(played, generator, (played.ticket, at))

    # --- the wall clock's stamps, moved onto the simulated clock ---

    def settle_clocks(self) -> None:
        ids = self.result.ticket_ids
        if not ids:
            return
        received = Ticket.objects.filter(import_batch=OuterRef("pk")).values("received_at")[:1]
        ImportBatch.objects.filter(tickets__in=ids).update(imported_at=Subquery(received))
        last_event = (
            TicketEvent.objects.filter(ticket=OuterRef("pk"))
            .order_by()
            .values("ticket")
            .annotate(m=Max("at"))
            .values("m")
        )
        # the platform pushed each ticket when it was received, and the ticket last changed with its latest event
        Ticket.objects.filter(pk__in=ids).update(
            created_at=F("received_at"), updated_at=Coalesce(Subquery(last_event), F("received_at"))
        )
        for batch_id, at in self.visit_batches:
            ImportBatch.objects.filter(pk=batch_id).update(imported_at=moment(at))
        imported_at = ImportBatch.objects.filter(pk=OuterRef("import_batch_id")).values("imported_at")[:1]
        ReturnVisit.objects.filter(import_batch_id__in=[b for b, _at in self.visit_batches]).update(
            created_at=Subquery(imported_at)
        )


class _NotificationClock:
    """Notifications are created after the commit (``transaction.on_commit``), stamped with the wall
    clock. Each step registers ``at(time)`` right after its own callbacks, so in commit order the
    rows created since the previous stamp are the step's, and get the step's simulated time."""

    def __init__(self):
        self.table = Notification._meta.db_table
        self.last_id = Notification.objects.aggregate(m=Max("id"))["m"] or 0
        self.first_id = self.last_id

    def at(self, seconds: int):
        def stamp():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.table} SET created_at = %s WHERE id > %s RETURNING id",
                    [moment(seconds), self.last_id],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if ids:
                self.last_id = max(ids)

        return stamp


def play(plots: list[Plot], *, cast: Cast, seed: int, end: int) -> PlayResult:
    """Play the plots' stories up to ``end`` (epoch seconds); all or nothing.

    Notifications of the simulated past more than a day before the end are marked read (read an hour
    after they came), so the inbox shows a real day's unread ones, not months of them.
    """
    taken = list(Ticket.objects.filter(ticket_no__in=[p.ticket_no for p in plots]).values_list("ticket_no", flat=True))
    if taken:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("demo ticket numbers for this period already exist (%(first)s, …); nothing was written")
            % {"first": sorted(taken)[0]},
        )
    engine = _Engine(sorted(plots, key=lambda p: p.received), cast=cast, seed=seed, end=end)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # the notifications are written after the commit, one small transaction each: demo data can be
        # made again, so this session does not wait for each of those commits to reach the disk
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        with transaction.atomic():
            result = engine.run()
            engine.settle_clocks()
    finally:
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")
    stamps = engine.stamps
    Notification.objects.filter(
        id__gt=stamps.first_id, read_at=None, created_at__lt=moment(end) - timedelta(days=1)
    ).update(read_at=F("created_at") + timedelta(hours=1))
    return result
