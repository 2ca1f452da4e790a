"""The center's workbench: counts per status, filters, deadline order and colours, triage and dispatch
from the list (htmx partial), bulk dispatch."""

from datetime import timedelta

from django.utils import timezone

from dispatch.models import TicketEvent
from intake.models import Category, Status, Urgency
from org.models import Unit
from tests.factories import dispatched_ticket, make_ticket


def test_counts_per_status_and_default_in_flight(client_for, center_staff, handler_unit):
    make_ticket(content="新来的")
    make_ticket(content="也是新来的")
    dispatched_ticket(handler_unit, content="派出去的")
    make_ticket(status=Status.CLOSED, content="早已办结")
    html = client_for(center_staff).get("/tickets/").content.decode()
    assert 'data-testid="count-received"' in html
    assert "<b>2</b>已接单" in html
    assert "<b>1</b>已派单" in html
    assert "<b>3</b>在办" in html
    assert "早已办结" not in html  # closed work is not in flight
    assert "新来的" in html and "派出去的" in html


def test_filters_narrow_the_list(client_for, center_staff, handler_unit, other_unit):
    noise = Category.objects.create(name="噪音扰民")
    make_ticket(content="广场舞太吵", category=noise, urgency=Urgency.URGENT)
    make_ticket(content="路灯不亮")
    dispatched_ticket(other_unit, content="占道经营")
    client = client_for(center_staff)
    by_category = client.get("/tickets/", {"category": noise.pk}).content.decode()
    assert "广场舞太吵" in by_category and "路灯不亮" not in by_category
    by_text = client.get("/tickets/", {"q": "路灯"}).content.decode()
    assert "路灯不亮" in by_text and "广场舞太吵" not in by_text
    by_unit = client.get("/tickets/", {"unit": other_unit.pk}).content.decode()
    assert "占道经营" in by_unit and "路灯不亮" not in by_unit
    urgent = client.get("/tickets/", {"flags": "urgent"}).content.decode()
    assert "广场舞太吵" in urgent and "路灯不亮" not in urgent


def test_bad_filter_values_are_reported_not_crashing(client_for, center_staff):
    response = client_for(center_staff).get("/tickets/", {"received_from": "2025-13-01", "category": "x"})
    assert response.status_code == 200
    assert "部分筛选条件无效" in response.content.decode()


def test_received_range_is_whole_local_days(client_for, center_staff):
    from datetime import datetime

    from jxq_cases.lib.clock import STREET_TZ

    make_ticket(content="一月最后一刻", received_at=datetime(2025, 1, 31, 23, 59, tzinfo=STREET_TZ))
    make_ticket(content="二月第一刻", received_at=datetime(2025, 2, 1, 0, 0, tzinfo=STREET_TZ))
    html = (
        client_for(center_staff)
        .get("/tickets/", {"received_from": "2025-02-01", "received_to": "2025-02-28", "status": "all"})
        .content.decode()
    )
    assert "二月第一刻" in html and "一月最后一刻" not in html


def test_deadline_order_and_colours(client_for, center_staff, handler_unit):
    now = timezone.now()
    late = dispatched_ticket(handler_unit, content="已经超期", next_due_at=now - timedelta(hours=1))
    soon = dispatched_ticket(
        handler_unit, content="快到期", next_due_at=now + timedelta(hours=1), next_warn_at=now - timedelta(minutes=5)
    )
    calm = dispatched_ticket(handler_unit, content="还早", next_due_at=now + timedelta(days=3))
    html = client_for(center_staff).get("/tickets/", {"sort": "deadline"}).content.decode()
    assert html.index("已经超期") < html.index("快到期") < html.index("还早")
    assert f'id="row-{late.pk}" class="row-late"' in html
    assert f'id="row-{soon.pk}" class="row-soon"' in html
    assert f'id="row-{calm.pk}" class=""' in html
    overdue_only = client_for(center_staff).get("/tickets/", {"due": "overdue"}).content.decode()
    assert "已经超期" in overdue_only and "还早" not in overdue_only


def test_triage_then_dispatch_from_the_side_panel(client_for, center_staff, handler_unit):
    ticket = make_ticket(content="井盖丢失")
    client = client_for(center_staff)
    panel = client.get(f"/tickets/{ticket.ticket_no}/panel/").content.decode()
    assert "研判" in panel and "data-similar-url" in panel
    response = client.post(
        f"/tickets/{ticket.ticket_no}/do/triage_ticket/",
        {"from": "panel", "urgency": "urgent", "community": handler_unit.pk, "is_key": "on"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "研判：已完成" in html
    assert f'id="row-{ticket.pk}"' in html and 'hx-swap-oob="true"' in html  # the list row is refreshed too
    assert 'name="lead_unit"' in html  # next: dispatch, in the same panel
    ticket.refresh_from_db()
    assert (ticket.status, ticket.urgency, ticket.is_key) == (Status.TRIAGED, Urgency.URGENT, True)
    client.post(
        f"/tickets/{ticket.ticket_no}/do/dispatch_ticket/",
        {"from": "panel", "lead_unit": handler_unit.pk},
        HTTP_HX_REQUEST="true",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == handler_unit
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True).order_by("id")) == [
        "triage_ticket",
        "dispatch_ticket",
    ]


def test_dispatch_refused_in_the_wrong_state_shows_why_and_changes_nothing(client_for, center_staff, handler_unit):
    ticket = make_ticket()  # received, not triaged: dispatch is not possible yet
    response = client_for(center_staff).post(
        f"/tickets/{ticket.ticket_no}/do/dispatch_ticket/",
        {"from": "panel", "lead_unit": handler_unit.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "工单当前状态下不能执行此操作" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED and ticket.lead_unit is None
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_bulk_dispatch_sends_each_triaged_ticket_and_reports_the_rest(client_for, center_staff, handler_unit):
    a = make_ticket(status=Status.TRIAGED, triaged_at=timezone.now())
    b = make_ticket(status=Status.TRIAGED, triaged_at=timezone.now())
    not_ready = make_ticket()
    response = client_for(center_staff).post(
        "/tickets/bulk-dispatch/",
        {"tickets": [a.ticket_no, b.ticket_no, not_ready.ticket_no, "NO-SUCH"], "lead_unit": handler_unit.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "已将 2 件工单派至 南路社区" in html
    assert not_ready.ticket_no in html and "NO-SUCH" in html
    a.refresh_from_db()
    b.refresh_from_db()
    not_ready.refresh_from_db()
    assert a.lead_unit == b.lead_unit == handler_unit
    assert not_ready.status == Status.RECEIVED


def test_bulk_dispatch_without_a_unit_changes_nothing(client_for, center_staff):
    a = make_ticket(status=Status.TRIAGED, triaged_at=timezone.now())
    response = client_for(center_staff).post("/tickets/bulk-dispatch/", {"tickets": [a.ticket_no]}, follow=True)
    assert "请选择派往的单位" in response.content.decode()
    a.refresh_from_db()
    assert a.status == Status.TRIAGED


def test_handler_list_shows_only_their_units_tickets(client_for, unit_handler, handler_unit, other_unit):
    dispatched_ticket(handler_unit, content="本社区的")
    dispatched_ticket(other_unit, content="别人的")
    make_ticket(content="还没派的")
    html = client_for(unit_handler).get("/tickets/").content.decode()
    assert "本社区的" in html
    assert "别人的" not in html and "还没派的" not in html
    assert "批量派单" not in html  # bulk dispatch is the center's
    assert Unit.objects.filter(pk=other_unit.pk).exists()


def test_an_invalid_filter_is_dropped_but_the_valid_ones_still_apply(client_for, center_staff):
    make_ticket(content="路灯不亮")
    make_ticket(content="井盖丢失")
    html = client_for(center_staff).get("/tickets/", {"q": "路灯", "received_from": "not-a-date"}).content.decode()
    assert "路灯不亮" in html and "井盖丢失" not in html
    assert "部分筛选条件无效" in html


def test_the_side_panel_is_there_for_whoever_may_triage_and_the_list_takes_the_width_otherwise(
    client_for, center_staff, unit_handler, handler_unit
):
    dispatched_ticket(handler_unit)
    center = client_for(center_staff).get("/tickets/")
    assert center.context["side_panel"] and 'id="side"' in center.content.decode()
    handler = client_for(unit_handler).get("/tickets/")
    html = handler.content.decode()
    assert handler.status_code == 200 and len(handler.context["rows"]) == 1
    assert not handler.context["side_panel"] and 'id="side"' not in html and 'class="grid two"' not in html
