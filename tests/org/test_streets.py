"""Streets and districts as data (docs/district.md): the migration of a single-street database with
rows in it, ``add_street`` and its unit file, unit names unique per street, one center per street."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jxq_cases.lib.errors import DomainError
from org.accounts import create_user
from org.models import District, Role, Street, Unit
from org.streets import add_street, intake_street, street_ids_of, street_named

BEFORE = [("org", "0006_center_admin_and_setting_changes"), ("intake", "0008_category_alias")]
AFTER = [("org", "0007_streets"), ("intake", "0009_streets")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_afterwards(transactional_db):
    """Migrate every app to its latest migration when the test ends: the test leaves the database at
    the two migrations it checks, and the tests after it need the whole schema (other apps' later
    migrations, e.g. the per-street deadline rules, are unapplied by going back)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_single_street_database_becomes_one_street_without_losing_a_row(settings, latest_schema_afterwards):
    settings.REPORTING_STREET_NAME = "酒仙桥街道"
    settings.REPORTING_DISTRICT_NAME = "朝阳区"
    old = _migrate(BEFORE)
    try:
        OldUnit, OldUser, OldTicket = (
            old.get_model(*name) for name in [("org", "Unit"), ("org", "User"), ("intake", "Ticket")]
        )
        assert not any(f.name == "street" for f in OldTicket._meta.get_fields())
        units_before = OldUnit.objects.count()
        assert units_before == 19  # the Jiuxianqiao units of org 0002, reloaded by the test setup
        community = OldUnit.objects.get(name="南路社区")
        handler = OldUser.objects.create(username="old-handler", role="unit_handler")
        handler.units.add(community)
        principal = OldUser.objects.create(username="old-principal", role="principal_leader")
        received = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
        for n in range(5):
            OldTicket.objects.create(
                ticket_no=f"MIG{n:04d}",
                source="city",
                received_at=received,
                kind="complaint",
                content=f"旧库工单 {n}",
                community=community,
                lead_unit=community if n % 2 else None,
                status="closed" if n % 2 else "received",
            )
        ticket_ids = set(OldTicket.objects.values_list("id", flat=True))
    finally:
        new = _migrate(AFTER)

    Street_, Unit_, User_, Ticket_ = (
        new.get_model(*name) for name in [("org", "Street"), ("org", "Unit"), ("org", "User"), ("intake", "Ticket")]
    )
    street = Street_.objects.get()
    assert (street.name, street.district.name) == ("酒仙桥街道", "朝阳区")
    assert Unit_.objects.count() == units_before
    assert not Unit_.objects.exclude(street=street).exists()
    assert set(Ticket_.objects.values_list("id", flat=True)) == ticket_ids
    assert set(Ticket_.objects.values_list("street_id", flat=True)) == {street.pk}
    assert Ticket_.objects.get(ticket_no="MIG0001").lead_unit.name == "南路社区"
    assert set(User_.objects.filter(pk__in=[handler.pk, principal.pk]).values_list("street_id", flat=True)) == {
        street.pk
    }
    # the numbers are now unique within the street: the same number again in it is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket_.objects.create(
            street=street, ticket_no="MIG0000", source="city", received_at=received, kind="help", content="x"
        )


@pytest.mark.django_db(transaction=True)
def test_the_gazetteer_entries_of_a_database_with_streets_get_their_communitys_street(latest_schema_afterwards):
    # intake 0010-0012 on a database that has entries (each step its own transaction: a schema change
    # after the rows' update in one transaction fails on PostgreSQL with "pending trigger events")
    old = _migrate([("org", "0007_streets"), ("intake", "0009_streets")])
    Street_, Unit_, Entry_ = (
        old.get_model(*n) for n in [("org", "Street"), ("org", "Unit"), ("intake", "GazetteerEntry")]
    )
    south = Unit_.objects.get(name="南路社区")
    other = Street_.objects.create(name="将台街道", district=south.street.district)
    theirs = Unit_.objects.create(street=other, name="南路社区", kind="community")
    Entry_.objects.create(address="酒仙桥南路12号楼", key="酒仙桥南路12号楼", community=south, origin="imported")
    Entry_.objects.create(address="将台路1号", key="将台路1号", community=theirs, origin="imported")

    new = _migrate([("intake", "0012_gazetteer_street_required")])

    Entry_ = new.get_model("intake", "GazetteerEntry")
    assert sorted(Entry_.objects.values_list("key", "street__name")) == [
        ("将台路1号", "将台街道"),
        ("酒仙桥南路12号楼", south.street.name),
    ]
    # now the same address may be in both streets' gazetteers, once in each
    Entry_.objects.create(
        street_id=other.pk, address="酒仙桥南路12号楼", key="酒仙桥南路12号楼", community_id=theirs.pk, origin="placed"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry_.objects.create(
            street_id=other.pk, address="x", key="酒仙桥南路12号楼", community_id=theirs.pk, origin="placed"
        )


@pytest.mark.django_db
def test_add_street_creates_its_units_and_center_and_names_repeat_across_streets(tmp_path):
    call_command("add_street", "将台街道", "--district", "朝阳区")
    jiangtai = Street.objects.get(name="将台街道")
    assert jiangtai.district == District.objects.get(name="朝阳区")
    assert Unit.objects.filter(street=jiangtai).count() == 19
    assert Unit.objects.get(street=jiangtai, is_center=True).name == "市民诉求处置中心"
    # the same unit names as Jiuxianqiao's, each street its own unit
    assert Unit.objects.filter(name="南路社区").count() == 2

    units = tmp_path / "units.csv"
    units.write_text(
        "name,kind,center\n诉求中心,department,center\n一号社区,社区\n二号社区,community\n", encoding="utf-8"
    )
    call_command("add_street", "东坝乡", "--district", "朝阳区", "--units", str(units))
    dongba = Street.objects.get(name="东坝乡")
    assert sorted(dongba.units.values_list("name", "kind", "is_center")) == [
        ("一号社区", "community", False),
        ("二号社区", "community", False),
        ("诉求中心", "department", True),
    ]
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_street", "东坝乡", "--district", "朝阳区")
    bad = tmp_path / "bad.csv"
    bad.write_text("一号社区,社区\n二号社区,村委会\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("add_street", "坏街道", "--district", "朝阳区", "--units", str(bad))
    assert not Street.objects.filter(name="坏街道").exists()


@pytest.mark.django_db
def test_unit_names_are_unique_per_street_and_each_street_has_one_center():
    street = Street.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(street=street, name="南路社区", kind="community")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(street=street, name="第二中心", kind="department", is_center=True)
    other = add_street("将台街道", "朝阳区")
    assert Unit.objects.filter(is_center=True).count() == 2
    assert Unit.objects.get(street=other, is_center=True).street == other


@pytest.mark.django_db
def test_people_belong_to_streets_through_their_units_and_district_roles_to_the_district():
    jiuxianqiao = Street.objects.get()
    jiangtai = add_street("将台街道", "朝阳区")
    handler = create_user("jt-handler", role=Role.UNIT_HANDLER, unit_names=["南路社区"], street="将台街道")
    assert handler.units.get().street == jiangtai
    assert street_ids_of(handler) == {jiangtai.pk}
    principal = create_user("jxq-principal", role=Role.PRINCIPAL_LEADER, street=jiuxianqiao)
    assert street_ids_of(principal) == {jiuxianqiao.pk}
    district = create_user("district", role=Role.DISTRICT_STAFF, district="朝阳区")
    assert street_ids_of(district) == {jiuxianqiao.pk, jiangtai.pk}
    with pytest.raises(DomainError):
        create_user("nobody", role=Role.UNIT_HANDLER, unit_names=["南路社区"])  # two streets: which one?
    # intake: the actor's own street by default; another street is refused
    assert intake_street(None, handler) == jiangtai
    with pytest.raises(DomainError) as refused:
        intake_street("酒仙桥街道", handler)
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as several:
        street_named(None)  # two streets: which one?
    assert several.value.code == "invalid"


def test_an_import_into_a_database_without_a_street_says_so(db):
    Unit.objects.all().delete()
    Street.objects.all().delete()
    with pytest.raises(DomainError, match="add_street"):
        street_named(None)
