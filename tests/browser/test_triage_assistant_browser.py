"""The triage assistant in the workbench panel: one click accepts its suggestions, the triage records it."""

from playwright.sync_api import expect

from intake.models import Status
from proactive.models import TriageDecision
from proactive.triage_model import _loaded, train
from tests.factories import make_ticket
from tests.proactive.test_triage_assistant import _history


def test_accept_all_fills_the_triage_form_and_the_triage_records_the_acceptance(page, login, center_staff):
    _history()
    _loaded.clear()
    assert train() is not None
    asked = make_ticket(
        ticket_no="A-0001", content="高家园小区8号楼暖气不热，屋里太冷了", address="高家园小区8号楼", community=None
    )
    login(page, center_staff)
    page.locator(f'tr:has-text("{asked.ticket_no}")').get_by_text("研判/派单").click()

    suggestions = page.get_by_test_id("suggestions")
    # the first answer loads jieba, scikit-learn and the model in the server process: give it time
    expect(suggestions).to_contain_text("高家园社区", timeout=30_000)
    expect(suggestions).to_contain_text("民生保障办公室")
    expect(suggestions).to_contain_text("置信度")
    # the lead unit is accepted at dispatch: no dispatch form yet
    expect(page.locator('[data-suggested="lead_unit"] button')).to_be_disabled()
    page.get_by_role("button", name="全部采纳").click()
    triage = page.locator("#side form", has=page.locator('select[name="community"]'))
    expect(triage.locator('select[name="community"] option:checked')).to_have_text("高家园社区")
    expect(triage.locator('select[name="category"] option:checked')).to_have_text("供暖供热")
    triage.get_by_role("button", name="研判").click()

    expect(page.locator("#side")).to_contain_text("已研判")
    asked.refresh_from_db()
    assert asked.status == Status.TRIAGED and asked.community.name == "高家园社区"
    decisions = {d.field: d.accepted for d in TriageDecision.objects.filter(suggestion__ticket=asked)}
    assert decisions == {"community": True, "category": True}
