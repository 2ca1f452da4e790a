"""The settings page is the administrator's street's (docs/district.md, "Settings per street"): two
streets with the same unit names, each with its center administrator. Every save writes the
street's own row and never a default; a forged id of the other street's row (or a default's) is
404 through every POST endpoint and writes nothing; the page and its record of changes show the
street's own only. Working-day overrides are per street (a street's day wins over the default),
and the street's deadlines follow its own calendar only. The settings models are the superusers'
in the Django admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from dispatch import deadlines, sign_off_chains
from dispatch.models import CalendarOverride, DeadlinePolicy, SignOffChain
from dispatch.workflow import signoff
from intake.models import Status, Ticket
from org.accounts import create_user
from org.models import Role, SettingChange, User
from org.streets import add_street
from reporting import policies
from reporting.models import ScoringPolicy
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

RULE = {
    "normal-acknowledge_hours": "4",
    "normal-contact_hours": "12",
    "normal-handle_amount": "5",
    "normal-handle_unit": "working_days",
    "normal-due_soon_fraction": "0.25",
}
POLICY = {
    "name": "将台 2031 年考核办法",
    "effective_from": "2031-01-01",
    "w_response": "0.2",
    "w_resolution": "0.4",
    "w_satisfaction": "0.4",
    "decimals": "2",
    "min_counted_to_rank": "5",
}
# Monday 3 March 2025, 10:00 in Beijing: three working days later is Thursday 6 March, 10:00
START = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def jiangtai(street_units):
    return add_street("将台街道", "朝阳区")


@pytest.fixture
def b_admin(jiangtai):
    return create_user("b-admin", role=Role.CENTER_ADMIN, unit_names=["市民诉求处置中心"], street=jiangtai)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _everything_of(street) -> dict:
    """Every settings row and record of a street (None: the defaults), to compare before and after."""
    scope = {"street": street} if street is not None else {"street__isnull": True}
    return {
        model.__name__: sorted(map(str, model.objects.filter(**scope).values()))
        for model in (DeadlinePolicy, CalendarOverride, ScoringPolicy, SignOffChain, SettingChange)
    }


def test_every_save_on_the_page_writes_the_admins_street_only(center_admin, b_admin, jiangtai):
    a_street = center_admin.street
    defaults, theirs = _everything_of(None), _everything_of(jiangtai)
    page = _client(center_admin)

    assert page.post("/settings/deadlines/normal/", RULE).status_code == 302
    assert (
        page.post("/settings/calendar/", {"on": "2030-10-12", "is_working_day": "1", "note": "酒仙桥补班"}).status_code
        == 302
    )
    assert page.post("/settings/scoring/", {f"new-{k}": v for k, v in POLICY.items()}).status_code == 302
    assert page.post("/settings/sign-off/reply/", {"reply-signers": "principal_leader"}).status_code == 302

    # the street's own rows, and nothing of the defaults or of the other street
    assert DeadlinePolicy.objects.get(street=a_street, rule="normal").contact_hours == 12
    assert CalendarOverride.objects.get(street=a_street).on == dt.date(2030, 10, 12)
    assert ScoringPolicy.objects.get(street=a_street).name == POLICY["name"]
    assert SignOffChain.objects.get(street=a_street).roles == ["principal_leader"]
    assert _everything_of(None) == defaults and _everything_of(jiangtai) == theirs
    assert deadlines.load_rules(jiangtai.pk)["normal"].contact_hours == 24
    assert signoff.chains(jiangtai.pk)["reply"] == ["section_leader"]
    assert signoff.chains(a_street.pk)["reply"] == ["principal_leader"]
    # every change is recorded as the street's
    assert set(SettingChange.objects.values_list("street", flat=True)) == {a_street.pk}
    # the street's first own rule is recorded against the rule that was in effect for it
    rule_changes = SettingChange.objects.filter(setting__contains="一般件")
    assert {(c.old, c.new) for c in rule_changes} == {("24", "12"), ("7", "5"), ("自然日", "工作日")}

    # B's page shows the defaults and none of A's rows or records
    b_page = _client(b_admin).get("/settings/")
    text = b_page.content.decode()
    assert b_page.status_code == 200 and "将台街道" in text
    assert POLICY["name"] not in text and "酒仙桥补班" not in text and not b_page.context["changes"]
    b_rules = {r["rule"]: r for r in b_page.context["rules"]}
    assert not b_rules["normal"]["own"] and b_rules["normal"]["form"].initial["contact_hours"] == 24
    # A's page shows its own
    a_page = page.get("/settings/")
    assert {r["rule"]: r for r in a_page.context["rules"]}["normal"]["own"]
    assert [o.note for o in a_page.context["overrides"]] == ["酒仙桥补班"]
    assert len(a_page.context["changes"]) == SettingChange.objects.count()


def test_forged_ids_of_the_other_streets_rows_or_the_defaults_are_404_and_write_nothing(
    center_admin, b_admin, jiangtai
):
    # B's own rows, and a default of each kind
    b_policy = policies.save_scoring_policy(
        ScoringPolicy(street=jiangtai, **{**POLICY, "w_response": "0.3", "w_resolution": "0.3"}), by=b_admin
    )
    deadlines.set_calendar_override(
        dt.date(2030, 10, 12), is_working_day=True, note="将台调休", by=b_admin, street=jiangtai
    )
    b_day = CalendarOverride.objects.get(street=jiangtai)
    sign_off_chains.save_chain("exclusion", ["principal_leader"], by=b_admin, street=jiangtai)
    deadlines.save_policy("urgent", by=b_admin, street=jiangtai, contact_hours=1)
    root = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    deadlines.set_calendar_override(dt.date(2030, 10, 13), is_working_day=True, note="统一调休", by=root)
    default_day = CalendarOverride.objects.get(street__isnull=True)
    default_policy = ScoringPolicy.objects.filter(street__isnull=True).first()
    assert default_policy is not None
    before = {None: _everything_of(None), "b": _everything_of(jiangtai)}
    page = _client(center_admin)

    forged = [
        (f"/settings/scoring/{b_policy.pk}/", {f"p{b_policy.pk}-{k}": v for k, v in POLICY.items()}),
        (f"/settings/scoring/{default_policy.pk}/", {f"p{default_policy.pk}-{k}": v for k, v in POLICY.items()}),
        (f"/settings/scoring/{b_policy.pk}/remove/", {}),
        (f"/settings/scoring/{default_policy.pk}/remove/", {}),
        ("/settings/deadlines/urgent/remove/", {}),  # B has its own urgent rule, A has none
        (f"/settings/calendar/{b_day.pk}/remove/", {}),
        (f"/settings/calendar/{default_day.pk}/remove/", {}),
        ("/settings/sign-off/exclusion/remove/", {}),  # B has its own exclusion chain, A has none
        ("/settings/sign-off/nonsense/", {"nonsense-signers": "principal_leader"}),
        ("/settings/deadlines/nonsense/", {}),
    ]
    for url, body in forged:
        answer = page.post(url, body)
        assert answer.status_code == 404, url
    assert not SettingChange.objects.filter(changed_by=center_admin).exists()
    assert {None: _everything_of(None), "b": _everything_of(jiangtai)} == before
    assert not CalendarOverride.objects.filter(street=center_admin.street).exists()
    # the page names none of B's rows
    text = page.get("/settings/").content.decode()
    assert "将台调休" not in text and b_policy.name not in text
    assert "统一调休" in text  # the default day is shown, read-only


def test_the_street_admin_takes_a_rule_back_to_the_default_and_removes_a_policy(handler_unit, center_admin):
    street = center_admin.street
    ticket = _handling(handler_unit)
    deadlines.recompute_open_tickets()
    page = _client(center_admin)
    assert page.post("/settings/deadlines/normal/", {**RULE, "normal-handle_amount": "2"}).status_code == 302
    assert DeadlinePolicy.objects.filter(street=street).exists()
    ticket.refresh_from_db()
    assert _local_due(ticket) == dt.date(2025, 3, 5)  # two working days

    assert page.post("/settings/deadlines/normal/remove/").status_code == 302
    assert not DeadlinePolicy.objects.filter(street=street).exists()
    assert DeadlinePolicy.objects.filter(street__isnull=True, rule="normal").exists()  # the default stays
    assert _local_due(ticket) == dt.date(2025, 3, 10)  # seven calendar days: the default again
    last = {(c.field, c.old, c.new) for c in SettingChange.objects.order_by("-id")[:3]}
    assert last == {("联系时限（小时）", "12", "24"), ("办结时限", "2", "7"), ("单位", "工作日", "自然日")}
    assert page.post("/settings/deadlines/normal/remove/").status_code == 404  # nothing of its own left

    assert page.post("/settings/scoring/", {f"new-{k}": v for k, v in POLICY.items()}).status_code == 302
    policy = ScoringPolicy.objects.get(street=street)
    assert page.post(f"/settings/scoring/{policy.pk}/remove/").status_code == 302
    assert not ScoringPolicy.objects.filter(street=street).exists()
    assert SettingChange.objects.filter(street=street, setting__contains="2031-01-01", new="").count() == 7


def test_an_administrator_of_no_single_street_is_refused_with_the_reason(street_units):
    nobody = User.objects.create(username="lost-admin", role=Role.CENTER_ADMIN)  # no street, no unit
    client = _client(nobody)
    answer = client.get("/settings/")
    assert answer.status_code == 403 and "不属于任何一个街道" in answer.content.decode()
    for url, body in [
        ("/settings/deadlines/normal/", RULE),
        ("/settings/calendar/", {"on": "2030-10-12", "is_working_day": "1"}),
        ("/settings/scoring/", {f"new-{k}": v for k, v in POLICY.items()}),
        ("/settings/sign-off/reply/", {"reply-signers": "principal_leader"}),
    ]:
        assert client.post(url, body).status_code == 403, url
    assert not SettingChange.objects.exists() and not CalendarOverride.objects.exists()
    assert not SignOffChain.objects.exists() and DeadlinePolicy.objects.filter(street__isnull=False).count() == 0


def _handling(unit) -> Ticket:
    return ticket_in(
        Status.HANDLING, lead_unit=unit, dispatched_at=START, acknowledged_at=START, handle_started_at=START
    )


def _local_due(ticket) -> dt.date:
    ticket.refresh_from_db()
    return ticket.handle_due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def test_a_day_off_in_one_street_does_not_move_the_other_streets_deadlines(
    handler_unit, center_admin, b_admin, jiangtai
):
    root = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    deadlines.save_policy("normal", by=root, handle_amount=3, handle_unit="working_days")
    ours, theirs = _handling(handler_unit), _handling(jiangtai.units.get(name="南路社区"))
    deadlines.recompute_open_tickets()
    assert _local_due(ours) == _local_due(theirs) == dt.date(2025, 3, 6)
    # a stale value on A's ticket shows whether B's change touched A's tickets at all
    Ticket.objects.filter(pk=ours.pk).update(handle_due_at=START)

    # 将台街道 stops work on Wednesday 5 March: its deadline moves to Friday; A's ticket is not read
    page = _client(b_admin)
    assert page.post("/settings/calendar/", {"on": "2025-03-05", "is_working_day": "0"}).status_code == 302
    assert _local_due(theirs) == dt.date(2025, 3, 7)
    assert Ticket.objects.get(pk=ours.pk).handle_due_at == START
    assert deadlines.load_overrides(jiangtai.pk) == {dt.date(2025, 3, 5): False}
    assert deadlines.load_overrides(center_admin.street_id) == {}

    # a default day off on Tuesday 4 March recomputes every street: A's due Friday, B's Monday 10 March
    assert deadlines.set_calendar_override(dt.date(2025, 3, 4), is_working_day=False, by=root) == 2
    assert _local_due(ours) == dt.date(2025, 3, 7)
    assert _local_due(theirs) == dt.date(2025, 3, 10)
    # B's own row for that day wins over the default: B works on Tuesday after all
    assert page.post("/settings/calendar/", {"on": "2025-03-04", "is_working_day": "1"}).status_code == 302
    assert _local_due(theirs) == dt.date(2025, 3, 7)
    assert _local_due(ours) == dt.date(2025, 3, 7)
    # removing B's own days through the page: the defaults hold again for B
    for row in CalendarOverride.objects.filter(street=jiangtai):
        assert page.post(f"/settings/calendar/{row.pk}/remove/").status_code == 302
    assert _local_due(theirs) == dt.date(2025, 3, 7)  # Tuesday off (default), Wednesday on
    assert CalendarOverride.objects.filter(street__isnull=True).count() == 1
    # the records: B's changes are B's, the default's has no street
    assert set(SettingChange.objects.filter(changed_by=b_admin).values_list("street", flat=True)) == {jiangtai.pk}
    assert SettingChange.objects.filter(changed_by=root, setting__contains="2025-03-04", street__isnull=True).exists()


def test_the_street_admin_keeps_the_streets_sign_off_chains_with_a_record(handler_unit, b_admin, jiangtai):
    page = _client(b_admin)
    shown = page.get("/settings/").context["chains"]
    assert [(c["chain"], c["own"]) for c in shown] == [("reply", False), ("reply_key", False), ("exclusion", False)]

    assert page.post("/settings/sign-off/reply_key/", {"reply_key-signers": "principal_leader"}).status_code == 302
    assert signoff.chains(jiangtai.pk)["reply_key"] == ["principal_leader"]
    assert signoff.chains(handler_unit.street_id)["reply_key"] == ["section_leader", "principal_leader"]
    [change] = SettingChange.objects.all()
    assert (change.street, change.setting, change.old, change.new) == (
        jiangtai,
        "审核链：重点或督办工单的答复",
        "分管领导 → 主要领导",
        "主要领导",
    )
    # a role that does not sign is refused with the form, nothing written
    refused = page.post("/settings/sign-off/reply_key/", {"reply_key-signers": "inspector"})
    assert refused.status_code == 400 and SettingChange.objects.count() == 1
    assert SignOffChain.objects.get(street=jiangtai).roles == ["principal_leader"]

    # back to the default: the row goes, the removal is recorded
    assert page.post("/settings/sign-off/reply_key/remove/").status_code == 302
    assert not SignOffChain.objects.exists()
    assert signoff.chains(jiangtai.pk)["reply_key"] == ["section_leader", "principal_leader"]
    last = SettingChange.objects.order_by("-id").first()
    assert (last.street, last.old, last.new) == (jiangtai, "主要领导", "")


def test_the_admin_records_a_sign_off_chain_in_the_pages_words(client, jiangtai):
    root = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(root)
    added = client.post(
        "/admin/dispatch/signoffchain/add/", {"chain": "reply", "street": jiangtai.pk, "roles": '["principal_leader"]'}
    )
    assert added.status_code == 302
    row = SignOffChain.objects.get(street=jiangtai)
    assert client.post(f"/admin/dispatch/signoffchain/{row.pk}/delete/", {"post": "yes"}).status_code == 302
    records = [(c.street_id, c.setting, c.old, c.new) for c in SettingChange.objects.order_by("id")]
    assert records == [
        (jiangtai.pk, "审核链：答复", "分管领导", "主要领导"),
        (jiangtai.pk, "审核链：答复", "主要领导", ""),
    ]


SETTINGS_ADMIN = ["deadlinepolicy", "calendaroverride", "signoffchain"]


@pytest.mark.parametrize("path", [f"dispatch/{m}" for m in SETTINGS_ADMIN] + ["reporting/scoringpolicy"])
def test_the_settings_are_the_superusers_in_the_django_admin(client, b_admin, jiangtai, path):
    # a street's administrator made staff with every permission on the settings models still gets nothing
    app, model = path.split("/")
    b_admin.is_staff = True
    b_admin.save()
    b_admin.user_permissions.set(Permission.objects.filter(content_type__app_label=app, content_type__model=model))
    client.force_login(b_admin)
    for url in (f"/admin/{path}/", f"/admin/{path}/add/"):
        assert client.get(url).status_code == 403, url
    assert model not in client.get("/admin/").content.decode()
    before = {None: _everything_of(None), "b": _everything_of(jiangtai)}
    client.post(f"/admin/{path}/add/", {"street": jiangtai.pk, "rule": "normal", "on": "2030-10-12"})
    assert {None: _everything_of(None), "b": _everything_of(jiangtai)} == before
    # a superuser keeps them
    root = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(root)
    assert client.get(f"/admin/{path}/").status_code == 200
