"""The whole day's work of one ticket in a real browser (issue 5): the center triages and dispatches,
the handler contacts, notes (with a photo) and drafts a reply, the section leader returns it once and
then approves it, the center replies, the return-visit file is uploaded, the ticket is closed, and
the dashboard's figures change accordingly."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Kind, Source, Status
from jxq_cases.lib import clock
from proactive.indexing import index_pending
from reporting.nightly import take_nightly_snapshot
from tests.factories import make_ticket

# the smallest valid PNG (1x1 pixel)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _open_action(page, action: str):
    page.locator(f"#act-{action} > summary").click()
    return page.locator(f"#act-{action}")


def test_one_ticket_through_the_eight_steps(
    new_page, login, screenshot, center_staff, unit_handler, section_leader, principal_leader, handler_unit
):
    # given: an earlier request about the same place, and today's new one as the city sent it
    now = timezone.now()
    earlier = make_ticket(
        ticket_no="E2025-0001",
        source=Source.CITY,
        received_at=now - timedelta(days=6),
        kind=Kind.COMPLAINT,
        content="南路11号楼门口的路灯不亮了，晚上太黑看不见路，请尽快修理路灯",
        address="酒仙桥南路11号楼",
        community=handler_unit,
        status=Status.CLOSED,
    )
    ticket = make_ticket(
        ticket_no="C2025-0002",
        source=Source.CITY,
        received_at=now - timedelta(minutes=2),
        kind=Kind.COMPLAINT,
        content="南路11号楼门口路灯不亮好几天了，晚上太黑，希望尽快修好路灯",
        community=handler_unit,
        complainant_name="李秀英",
        complainant_phone="13900001111",
        address="酒仙桥南路11号楼",
    )
    index_pending()  # the proactive indexing job (beat, every few minutes)
    take_nightly_snapshot(clock.local_date(now))  # last night's dashboard
    leader_page = login(new_page(), principal_leader)
    leader_page.goto("/dashboard/")
    expect(leader_page.get_by_test_id("month-counted")).to_have_text("0")

    # the center: triage and dispatch from the workbench without leaving it
    center = login(new_page(), center_staff)
    expect(center.get_by_test_id("count-received")).to_contain_text("1")
    row = center.locator(f"#row-{ticket.pk}")
    row.get_by_role("link", name="研判/派单").click()
    side = center.locator("#side")
    expect(side.get_by_test_id("similar-list")).to_contain_text(earlier.ticket_no)  # the same street lamp
    side.get_by_label("紧急程度").select_option("urgent")
    side.get_by_label("所属社区").select_option(label="南路社区")
    side.get_by_role("button", name="加为关联工单").first.click()
    screenshot(center, "workbench-triage")
    side.get_by_role("button", name="研判", exact=True).click()
    expect(side).to_contain_text("研判：已完成")
    side.get_by_label("主办单位").select_option(label="南路社区")
    side.get_by_role("button", name="派单", exact=True).click()
    expect(side).to_contain_text("派单：已完成")
    expect(row).to_contain_text("已派单")  # the list row was refreshed in place
    expect(row).to_contain_text("南路社区")
    screenshot(center, "workbench")

    # the handler of 南路社区: acknowledge from the inbox, contact, note with a photo, draft the reply
    handler = login(new_page(), unit_handler)
    expect(handler).to_have_url(re.compile(r"/inbox/$"))
    card = handler.get_by_test_id("inbox-card").filter(has_text=ticket.ticket_no)
    expect(card).to_contain_text("紧急")
    card.get_by_role("button", name="签收").click()
    expect(handler.get_by_role("status")).to_contain_text("签收：已完成")
    handler.get_by_role("link", name=ticket.ticket_no).click()
    expect(handler.get_by_test_id("complainant-phone")).to_have_text("139****1111")
    handler.get_by_role("button", name="显示完整信息（将被记录）").click()
    expect(handler.get_by_test_id("complainant-phone")).to_have_text("13900001111")
    form = _open_action(handler, "record_first_contact")
    form.get_by_label("联系方式").select_option("phone")
    form.get_by_label("沟通结果").fill("已电话联系李女士，约定今晚前修复")
    form.get_by_role("button", name="记录首次联系").click()
    expect(handler.get_by_test_id("status")).to_have_text("已联系")
    form = _open_action(handler, "add_handling_note")
    form.get_by_label("办理进展").fill("已联系物业更换灯泡，现场照片见附件")
    form.get_by_label("照片或 PDF（可选）").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.get_by_role("button", name="添加办理记录").click()
    expect(handler.get_by_test_id("timeline")).to_contain_text("已联系物业更换灯泡")
    expect(handler.locator('img[alt="现场.png"]')).to_be_visible()
    form = _open_action(handler, "submit_reply_draft")
    form.get_by_label("答复稿").fill("路灯已修复。")
    form.get_by_role("button", name="提交答复稿").click()
    expect(handler.get_by_test_id("draft")).to_contain_text("路灯已修复。")
    screenshot(handler, "ticket")

    # the section leader returns it once, with a reason
    leader = login(new_page(), section_leader)
    expect(leader).to_have_url(re.compile(r"/signoff/$"))
    item = leader.get_by_test_id("signoff-draft").filter(has_text=ticket.ticket_no)
    item.get_by_label("退回理由").fill("请写明修复时间并附照片说明")
    item.get_by_role("button", name="退回").click()
    expect(leader.get_by_test_id("queue-empty")).to_be_visible()

    # the handler drafts again; the leader approves in one step
    handler.reload()
    expect(handler.get_by_test_id("draft").first).to_contain_text("已退回")
    form = _open_action(handler, "submit_reply_draft")
    form.get_by_label("答复稿").fill("路灯已于今晚19时修复，现场照片已上传。")
    form.get_by_role("button", name="提交答复稿").click()
    leader.reload()
    screenshot(leader, "signoff")
    leader.get_by_test_id("signoff-draft").filter(has_text=ticket.ticket_no).get_by_role("button", name="同意").click()
    expect(leader.get_by_test_id("queue-empty")).to_be_visible()

    # the center replies upstream
    center.goto(f"/tickets/{ticket.ticket_no}/")
    expect(center.get_by_test_id("status")).to_have_text("已审核")
    form = _open_action(center, "send_reply")
    form.get_by_role("button", name="向上级回复（办结）").click()
    expect(center.get_by_test_id("status")).to_have_text("已回复")

    # the city's return-visit file is uploaded: double-yes, so the ticket closes
    visited_at = clock.local(timezone.now()).strftime("%Y-%m-%d %H:%M:%S")
    visits = f"工单编号,回访时间,纳入考评,响应,解决,满意\n{ticket.ticket_no},{visited_at},是,是,是,是\n"
    center.goto("/visits/import/")
    center.get_by_label("回访结果（CSV 文件）").set_input_files(
        [{"name": "回访结果.csv", "mimeType": "text/csv", "buffer": visits.encode("gb18030")}]
    )
    center.get_by_role("button", name="导入").click()
    expect(center.get_by_role("status")).to_contain_text("1 件工单进入下一步")
    center.goto(f"/tickets/{ticket.ticket_no}/")
    expect(center.get_by_test_id("status")).to_have_text("已结案")
    timeline = center.get_by_test_id("timeline")
    for step in ("已接单", "已研判", "已派单", "已签收", "首次联系", "办理记录", "提交答复稿", "答复稿被退回"):
        expect(timeline).to_contain_text(step)
    for step in ("答复稿审核通过", "已向上级回复", "录入回访"):
        expect(timeline).to_contain_text(step)

    # tonight's snapshot: the dashboard now counts the ticket, double-yes
    take_nightly_snapshot(clock.today())
    leader_page.reload()
    expect(leader_page.get_by_test_id("month-counted")).to_have_text("1")
    expect(leader_page.get_by_test_id("month-resolution")).to_have_text("100.00")
    expect(leader_page.get_by_test_id("month-satisfaction")).to_have_text("100.00")
    screenshot(leader_page, "dashboard")
