"""A demo street played through the workflow (demo.seed.seed_demo): its tickets are where their
timelines leave them, their deadlines are the workflow's, its clock is the simulated one, and every
role has work on its last day."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F, Max

from demo.content import HOT_SPOTS
from demo.seed import seed_demo
from dispatch import access, deadlines
from dispatch.models import (
    ExclusionRequest,
    ExclusionStatus,
    ExtensionRequest,
    Notification,
    ReplyDraft,
    RequestStatus,
    SendBackRequest,
    SignOffStatus,
    TicketEvent,
)
from dispatch.workflow import registry
from intake.models import ImportBatch, ReturnVisit, Status, Ticket
from org.models import Role, Unit, User
from proactive.hotspots import hotspots_between

END = datetime(2026, 6, 30, 7, 30, tzinfo=UTC)  # 15:30 in Beijing, a Tuesday
TICKETS, DAYS = 250, 20

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def street(committed):
    return seed_demo(tickets=TICKETS, days=DAYS, seed=11, end_at=END)


def person(username: str) -> User:
    return User.objects.get(username=username)


def test_the_street_has_the_tickets_asked_for_each_with_its_own_history(street):
    assert street.tickets == TICKETS == Ticket.objects.count() and street.copied == 0
    assert street.events == TicketEvent.objects.count() > TICKETS * 5
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > TICKETS / 2
    assert len(statuses) >= 9, statuses


def test_every_ticket_is_where_its_timeline_leaves_it():
    last = {}
    for ticket_id, to_status in TicketEvent.objects.order_by("ticket_id", "at", "id").values_list(
        "ticket_id", "to_status"
    ):
        last[ticket_id] = to_status
    for ticket in Ticket.objects.all():
        if ticket.status == Status.RECEIVED:
            assert ticket.pk not in last, ticket.ticket_no  # nothing has happened to it yet
        else:
            assert last[ticket.pk] == ticket.status, ticket.ticket_no


def test_the_stored_deadlines_are_the_ones_the_deadline_code_computes():
    rules, overrides = deadlines.load_rules(), deadlines.load_overrides()
    pending = set(ExtensionRequest.objects.filter(status=RequestStatus.PENDING).values_list("ticket_id", flat=True))
    running = 0
    for ticket in Ticket.objects.all():
        changed = deadlines.apply_deadlines(
            ticket, extension_pending=ticket.pk in pending, rules=rules, overrides=overrides
        )
        assert [f for f in changed if f not in ("warning_level", "warned_at")] == [], ticket.ticket_no
        running += ticket.next_due_at is not None
    assert running > 10


def test_nothing_happens_after_the_end_and_the_clock_is_the_simulated_one():
    assert TicketEvent.objects.aggregate(m=Max("at"))["m"] <= END
    assert ReturnVisit.objects.aggregate(m=Max("visited_at"))["m"] <= END
    # the platform pushed each ticket when it was received; each import is dated when it ran
    assert not Ticket.objects.exclude(created_at=F("received_at")).exists()
    for batch in ImportBatch.objects.filter(kind=ImportBatch.Kind.TICKETS):
        assert batch.imported_at == batch.tickets.get().received_at
    visit_batches = ImportBatch.objects.filter(kind=ImportBatch.Kind.VISITS)
    assert visit_batches.count() > DAYS / 2 and visit_batches.aggregate(m=Max("imported_at"))["m"] <= END
    assert not ReturnVisit.objects.exclude(created_at=F("import_batch__imported_at")).exists()
    assert not Ticket.objects.filter(updated_at__gt=END).exists()


def test_the_inbox_reads_like_a_real_day():
    # notifications of the simulated past carry its time, and the ones older than a day are read
    made = Notification.objects.exclude(kind__in=["due_soon", "overdue"])
    assert made.count() > TICKETS and made.aggregate(m=Max("created_at"))["m"] <= END
    assert not made.filter(created_at__lt=END - timedelta(days=1), read_at=None).exists()
    assert made.filter(created_at__gte=END - timedelta(days=1), read_at=None).exists()
    for username in ("center", "handler", "leader", "leader2", "principal"):
        assert Notification.objects.filter(user__username=username, read_at=None).exists(), username


def test_the_mix_looks_like_a_real_street():
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("source", flat=True)) == {"city", "district"}
    assert tickets.filter(is_key=True).exists() and tickets.exclude(supervision="").exists()
    visited = tickets.filter(visited_at__isnull=False)
    n = visited.count()
    assert n > TICKETS / 2
    assert not visited.filter(source="district", visit_counted=True).exists()  # only the city's count
    assert 0.75 < visited.filter(visit_resolved=True).count() / n < 0.98
    assert visited.filter(visit_resolved=False, visit_satisfied=False).exists()  # a few double-no
    assert ReturnVisit.objects.count() > n  # second handlings were visited again, history kept
    assert tickets.filter(rehandling_count=1).exists()
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {
        "triage_ticket",
        "dispatch_ticket",
        "acknowledge_ticket",
        "record_first_contact",
        "add_handling_note",
        "submit_reply_draft",
        "sign_off_reply",
        "send_reply",
        "publish_reply",
        "record_return_visit",
        "close_ticket",
        "reopen_for_second_handling",
        "request_extension",
        "request_exclusion",
    } <= kinds
    # each unit acts through its own handler, each reply is signed by the unit's section leader
    for event in TicketEvent.objects.filter(kind="acknowledge_ticket").select_related("ticket", "actor"):
        assert event.actor.units.filter(pk=event.ticket.lead_unit_id).exists()


def test_the_hot_spots_show_up():
    found = hotspots_between(END.date() - timedelta(days=DAYS), END.date())
    places = {s["place"] for s in found if s["total_count"] >= 3}
    missed = [spec["address"] for spec in HOT_SPOTS if spec["address"] not in places]
    assert not missed, missed
    market = next(s for s in found if s["place"] == HOT_SPOTS[0]["address"])
    assert "早市" in market["keywords"]
    assert sum(w["count"] for w in market["trend"]) == market["total_count"]


# --- every role has work on the last day ---


def available(user: User, tickets) -> list[tuple[str, list[str]]]:
    return [(t.ticket_no, [a.name for a in registry.available_actions(user, t)]) for t in tickets]


def test_the_center_has_tickets_to_triage_and_requests_to_decide():
    center = person("center")
    received = Ticket.objects.filter(status=Status.RECEIVED)
    assert received.exists() and all("triage_ticket" in a for _no, a in available(center, received))
    signed_off = Ticket.objects.filter(exclusion_requests__status=ExclusionStatus.SIGNED_OFF)
    assert signed_off.exists() and all("record_exclusion_decision" in a for _no, a in available(center, signed_off))
    send_back = Ticket.objects.filter(send_back_requests__status=RequestStatus.PENDING)
    assert send_back.exists() and all("decide_send_back" in a for _no, a in available(center, send_back))
    reviewed = Ticket.objects.filter(status=Status.REVIEWED)
    assert reviewed.exists() and all("send_reply" in a for _no, a in available(center, reviewed))
    visited = Ticket.objects.filter(status=Status.VISITED)
    assert visited.exists() and all(
        {"reopen_for_second_handling", "close_ticket"} <= set(a) for _no, a in available(center, visited)
    )
    # a handler may not decide the center's requests
    assert not any("record_exclusion_decision" in a for _no, a in available(person("handler"), signed_off))


@pytest.mark.parametrize("username, other", [("leader", "leader2"), ("leader2", "leader")])
def test_each_section_leader_has_a_draft_to_sign_and_an_extension_to_decide(username, other):
    leader = person(username)
    overseen = Unit.objects.filter(section_leader=leader)
    drafts = ReplyDraft.objects.filter(status=SignOffStatus.PENDING, ticket__lead_unit__in=overseen)
    waiting = [d.ticket for d in drafts if d.waiting_for == Role.SECTION_LEADER]
    assert waiting and all("sign_off_reply" in a for _no, a in available(leader, waiting))
    extensions = Ticket.objects.filter(extension_requests__status=RequestStatus.PENDING, lead_unit__in=overseen)
    assert extensions.exists() and all("decide_extension" in a for _no, a in available(leader, extensions))
    # the other section leader may not sign for units they do not oversee
    assert not any("sign_off_reply" in a for _no, a in available(person(other), waiting))


def test_the_principal_has_a_key_tickets_draft_to_sign():
    principal = person("principal")
    drafts = ReplyDraft.objects.filter(status=SignOffStatus.PENDING).select_related("ticket")
    waiting = [d.ticket for d in drafts if d.waiting_for == Role.PRINCIPAL_LEADER]
    assert waiting and all("sign_off_reply" in a for _no, a in available(principal, waiting))
    assert all(len(d.signatures) == 1 for d in drafts if d.waiting_for == Role.PRINCIPAL_LEADER)
    assert not any("sign_off_reply" in a for _no, a in available(person("leader"), waiting))


def test_the_handler_has_a_dispatch_to_acknowledge_and_tickets_due_soon_and_overdue():
    handler = person("handler")
    unit = handler.units.get()
    mine = Ticket.objects.filter(lead_unit=unit)
    to_acknowledge = mine.filter(status=Status.DISPATCHED, acknowledged_at__isnull=True)
    assert to_acknowledge.exists() and all("acknowledge_ticket" in a for _no, a in available(handler, to_acknowledge))
    assert mine.filter(warning_level="overdue", next_due_at__lte=END).exists()
    assert mine.filter(warning_level="due_soon", next_warn_at__lte=END, next_due_at__gt=END).exists()
    # the handler of another unit may not acknowledge them
    other = User.objects.filter(role=Role.UNIT_HANDLER).exclude(units=unit).first()
    assert not any("acknowledge_ticket" in a for _no, a in available(other, to_acknowledge))


def test_the_inspector_sees_supervised_and_double_no_tickets_and_may_do_nothing():
    inspector = person("inspector")
    visible = access.visible_tickets(inspector)
    open_supervised = visible.exclude(supervision="").exclude(status__in=[Status.CLOSED, Status.SENT_BACK])
    assert open_supervised.exists()
    assert visible.filter(visit_resolved=False, visit_satisfied=False).exists()
    assert all(a == [] for _no, a in available(inspector, open_supervised))


def test_the_exclusion_and_send_back_requests_went_through_their_chains():
    # every request through its chain (signed off, then decided by the city) carries one signature a step
    signed = ExclusionRequest.objects.filter(
        status__in=[ExclusionStatus.SIGNED_OFF, ExclusionStatus.APPROVED, ExclusionStatus.REFUSED]
    )
    assert signed.exists() and all(len(r.signatures) == len(r.chain) for r in signed)
    decided = signed.filter(status__in=[ExclusionStatus.APPROVED, ExclusionStatus.REFUSED])
    assert Ticket.objects.filter(is_excluded=True).count() == decided.filter(status=ExclusionStatus.APPROVED).count()
    assert SendBackRequest.objects.exists()


@pytest.mark.parametrize(
    "username, chain_role",
    [("leader", Role.SECTION_LEADER), ("leader2", Role.SECTION_LEADER), ("principal", Role.PRINCIPAL_LEADER)],
)
def test_each_leader_has_an_exclusion_request_to_sign(username, chain_role):
    leader = person(username)
    pending = ExclusionRequest.objects.filter(status=ExclusionStatus.PENDING).select_related("ticket")
    waiting = [r.ticket for r in pending if r.waiting_for == chain_role]
    if chain_role == Role.SECTION_LEADER:
        waiting = [t for t in waiting if t.lead_unit.section_leader_id == leader.pk]
    assert waiting and all("sign_off_exclusion" in a for _no, a in available(leader, waiting))
    # a handler may not sign them
    assert not any("sign_off_exclusion" in a for _no, a in available(person("handler"), waiting))


def test_the_center_may_call_a_replied_ticket_before_the_city_and_the_admin_has_the_settings():
    from org.abilities import home_page, may

    replied = Ticket.objects.filter(status=Status.REPLIED)
    called = replied.filter(pre_visits__round=F("rehandling_count"))
    not_called = replied.exclude(pk__in=called)
    assert not_called.exists() and all("record_pre_visit" in a for _no, a in available(person("center"), not_called))
    assert not any("record_pre_visit" in a for _no, a in available(person("center"), called))  # one per reply
    admin = person("admin")
    assert admin.role == Role.CENTER_ADMIN and may(admin, "settings.edit") and home_page(admin) == "street-settings"
    assert not access.visible_tickets(admin).exists()


def test_the_upstreams_new_categories_wait_for_the_center():
    from demo.content import UPSTREAM_NEW_CATEGORIES
    from intake.categories import new_categories
    from intake.models import Category

    waiting = {new.category.name: new.tickets for new in new_categories()}
    assert set(waiting) == set(UPSTREAM_NEW_CATEGORIES) and all(waiting.values())
    assert Category.objects.filter(confirmed=True).count() > 10  # the demo's own categories are the street's


def test_the_center_called_some_complainants_before_the_city_and_the_figures_compare_them():
    from dispatch.models import PreVisit
    from jxq_cases.lib import clock
    from reporting.pre_visits import pre_visit_agreement

    calls = PreVisit.objects.all()
    assert calls.count() > 10 and all(c.is_double_yes and c.caller.username == "center" for c in calls)
    assert all(8 <= clock.local(c.called_at).hour < 20 for c in calls)
    figures = pre_visit_agreement(clock.local_date(END) - timedelta(days=DAYS), clock.local_date(END))
    assert figures["pre_visits"] == calls.count()
    assert figures["compared"] > 0 and figures["agreement"] is not None
