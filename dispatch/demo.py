"""A plausible history for demo tickets.

intake/demo.py writes demo tickets with their statuses and timestamps set directly (fast, by COPY);
their timelines would be empty. ``generate_demo_events`` derives one event per step a ticket went
through from those timestamps, set-based: one ``INSERT ... SELECT`` per kind of event over the id
range, so a million demo tickets get their history in seconds. The actors are the street's demo
accounts: the first center staff member for the center's steps, a handler of the lead unit for the
unit's, the unit's section leader for sign-offs.
"""

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class _Kind:
    kind: str
    from_status: str
    to_status: str
    at: str  # SQL expression over intake_ticket t
    actor: str  # "center" | "handler" | "leader"
    where: str
    data: tuple[tuple[str, str], ...] = ()  # (key, SQL expression)


_KINDS = [
    _Kind("triage_ticket", "received", "triaged", "t.triaged_at", "center", "t.triaged_at IS NOT NULL"),
    _Kind(
        "send_back_ticket",
        "triaged",
        "sent_back",
        "t.triaged_at",
        "center",
        "t.status = 'sent_back' AND t.triaged_at IS NOT NULL",
        (("reason", "'非本街道辖区事项'"), ("direct", "'true'")),
    ),
    _Kind(
        "merge_ticket",
        "triaged",
        "merged",
        "t.triaged_at",
        "center",
        "t.status = 'merged' AND t.triaged_at IS NOT NULL",
        (("into", "(SELECT m.ticket_no FROM intake_ticket m WHERE m.id = t.merged_into_id)"),),
    ),
    _Kind(
        "dispatch_ticket",
        "triaged",
        "dispatched",
        "t.dispatched_at",
        "center",
        "t.dispatched_at IS NOT NULL",
        (("lead_unit", "m.unit_name"),),
    ),
    _Kind(
        "acknowledge_ticket",
        "dispatched",
        "dispatched",
        "t.acknowledged_at",
        "handler",
        "t.acknowledged_at IS NOT NULL",
    ),
    _Kind(
        "record_first_contact",
        "dispatched",
        "contacted",
        "t.first_contact_at",
        "handler",
        "t.first_contact_at IS NOT NULL",
        (("method", "'phone'"), ("outcome", "'已电话联系诉求人，约定上门查看'")),
    ),
    _Kind(
        "add_handling_note",
        "contacted",
        "handling",
        "t.first_contact_at",
        "handler",
        "t.first_contact_at IS NOT NULL AND t.status NOT IN ('dispatched', 'contacted')",
        (("text", "'已到现场查看，正在协调处理'"),),
    ),
    _Kind(
        "submit_reply_draft",
        "handling",
        "handling",
        "t.reviewed_at - INTERVAL_1H",
        "handler",
        "t.reviewed_at IS NOT NULL",
        (("version", "1"),),
    ),
    _Kind("sign_off_reply", "handling", "reviewed", "t.reviewed_at", "leader", "t.reviewed_at IS NOT NULL"),
    _Kind("send_reply", "reviewed", "replied", "t.replied_at", "center", "t.replied_at IS NOT NULL"),
    _Kind(
        "record_return_visit",
        "replied",
        "visited",
        "t.visited_at",
        "center",
        "t.visited_at IS NOT NULL AND t.status IN ('visited', 'rehandling')"
        " OR (t.status = 'closed' AND t.visited_at IS NOT NULL AND NOT (t.visit_resolved AND t.visit_satisfied))",
        (("imported", "'true'"),),
    ),
    _Kind(
        "record_return_visit",
        "replied",
        "closed",
        "t.visited_at",
        "center",
        "t.status = 'closed' AND t.visited_at IS NOT NULL AND t.visit_resolved AND t.visit_satisfied",
        (("imported", "'true'"),),
    ),
    _Kind(
        "reopen_for_second_handling",
        "visited",
        "rehandling",
        "t.handle_started_at",
        "center",
        "t.rehandling_count > 0 AND t.handle_started_at IS NOT NULL",
        (("reason", "'回访未解决，二次办理'"), ("round", "1")),
    ),
    _Kind(
        "close_ticket",
        "visited",
        "closed",
        "t.closed_at",
        "center",
        "t.status = 'closed' AND t.closed_at IS NOT NULL AND t.visited_at IS NOT NULL"
        " AND NOT (t.visit_resolved AND t.visit_satisfied)",
        (("reason", "'已向诉求人解释政策，不再二次办理'"),),
    ),
]

# (actor, actor unit) per kind of actor, over the ticket t and the per-unit mapping m (see below).
_ACTORS = {
    "center": ("%(center_user)s", "%(center_unit)s"),
    "handler": ("m.handler_id", "t.lead_unit_id"),
    "leader": ("m.leader_id", "t.lead_unit_id"),
}


def _json(pairs: tuple[tuple[str, str], ...]) -> str:
    if connection.vendor == "postgresql":
        if not pairs:
            return "'{}'::jsonb"
        args = ", ".join(f"'{k}', {_typed(v)}" for k, v in pairs)
        return f"jsonb_build_object({args})"
    if not pairs:
        return "'{}'"
    return "json_object(" + ", ".join(f"'{k}', {_typed(v)}" for k, v in pairs) + ")"


def _typed(expr: str) -> str:
    # JSON booleans and numbers rather than strings where the workflow writes them so
    if expr == "'true'":
        return "true" if connection.vendor == "postgresql" else "json('true')"
    return expr


def _at(expr: str) -> str:
    if "INTERVAL_1H" not in expr:
        return expr
    column = expr.split(" - ")[0]
    if connection.vendor == "postgresql":
        return f"{column} - INTERVAL '1 hour'"
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '-1 hour')"  # %% survives the params


def _unit_mapping() -> tuple[str, list]:
    """A CTE of every unit with one of its handlers, its section leader and its name: constants for
    the INSERT ... SELECT, instead of a correlated subquery per event."""
    from org.models import Role, Unit, User

    handlers = {}
    for unit_id, user_id in (
        User.objects.filter(role=Role.UNIT_HANDLER, is_active=True).order_by("id").values_list("units", "id")
    ):
        handlers.setdefault(unit_id, user_id)
    rows, params = [], []
    for unit_id, leader_id, name in Unit.objects.values_list("id", "section_leader_id", "name"):
        rows.append("(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS TEXT))")
        params += [unit_id, handlers.get(unit_id), leader_id, name]
    return "WITH m (unit_id, handler_id, leader_id, unit_name) AS (VALUES " + ", ".join(rows) + ") ", params


def generate_demo_events(*, first_id: int, last_id: int) -> int:
    """Write the history of the demo tickets with ids in [first_id, last_id]; returns how many events."""
    from org.models import Role, Unit, User

    center_user = (
        User.objects.filter(role=Role.CENTER_STAFF, is_active=True).order_by("id").values_list("id", flat=True)
    )
    center_unit = Unit.objects.filter(is_center=True).values_list("id", flat=True)
    constants = {
        "center_user": str(center_user.first() or "NULL"),
        "center_unit": str(center_unit.first() or "NULL"),
    }
    mapping, mapping_params = _unit_mapping()
    selects, params = [], []
    for seq, k in enumerate(_KINDS):
        actor, unit = (part % constants for part in _ACTORS[k.actor])
        selects.append(
            f"SELECT {seq} AS seq, t.id AS ticket_id, %s AS kind, {actor} AS actor_id, {unit} AS actor_unit_id,"
            f" {_at(k.at)} AS at,"
            f" %s AS from_status, %s AS to_status, {_json(k.data)} AS data "
            "FROM intake_ticket t LEFT JOIN m ON m.unit_id = t.lead_unit_id "
            f"WHERE t.id BETWEEN %s AND %s AND ({k.where})"
        )
        params += [k.kind, k.from_status, k.to_status, first_id, last_id]
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement, rows in (ticket, time) order: the timeline index is then filled in order, and
        # steps stamped with the same time (contact, then the first note) keep the order of _KINDS.
        cursor.execute(
            mapping + "INSERT INTO dispatch_ticketevent (ticket_id, kind, actor_id, actor_unit_id, at,"
            " from_status, to_status, data) SELECT ticket_id, kind, actor_id, actor_unit_id, at, from_status,"
            " to_status, data FROM (" + " UNION ALL ".join(selects) + ") AS e ORDER BY ticket_id, at, seq",
            [*mapping_params, *params],
        )
        total = cursor.rowcount
        if total < 0:  # SQLite reports no row count for a statement that starts with WITH
            cursor.execute(
                "SELECT COUNT(*) FROM dispatch_ticketevent WHERE ticket_id BETWEEN %s AND %s", [first_id, last_id]
            )
            total = cursor.fetchone()[0]
    return total
