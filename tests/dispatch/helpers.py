"""Making tickets in a given state for the workflow tests (through the workflow where it matters)."""

import itertools
from datetime import UTC, datetime

from intake.models import Kind, Source, Ticket

_numbers = itertools.count(1)


def make_ticket(**fields) -> Ticket:
    """A received ticket as intake would store it; ``fields`` override the defaults."""
    defaults = {
        "ticket_no": f"T{next(_numbers):06d}",
        "source": Source.CITY,
        "received_at": datetime(2025, 3, 3, 1, 0, tzinfo=UTC),
        "kind": Kind.COMPLAINT,
        "content": "楼道灯坏了很久没人修",
        "complainant_name": "张三丰",
        "complainant_phone": "13812341234",
        "address": "朝阳区酒仙桥南路社区11号楼",
    }
    defaults.update(fields)
    return Ticket.objects.create(**defaults)
