"""Small builders for import tests: CSV files in a given encoding, and a fingerprint of the intake tables."""

from pathlib import Path

from intake.models import Category, ImportBatch, ReturnVisit, Ticket

ZH_TICKET_HEADER = "工单编号,来源,受理时间,诉求类型,问题分类,诉求内容,诉求人,联系电话,诉求地址,所属社区,紧急程度"
EN_TICKET_HEADER = (
    "ticket_no,source,received_at,kind,category,content,complainant_name,complainant_phone,address,community,urgency"
)
ZH_VISIT_HEADER = "工单编号,回访时间,纳入考评,响应,解决,满意"
EN_VISIT_HEADER = "ticket_no,visited_at,counted,contacted,resolved,satisfied"


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def zh_ticket(
    no: str,
    *,
    when="2024-05-06 08:30",
    content="南路社区居民来电:楼道灯坏了。",
    community="南路社区",
    category="物业管理",
    source="市级直派",
    kind="投诉",
    urgency="一般",
) -> str:
    return f"{no},{source},{when},{kind},{category},{content},王女士,13800001234,酒仙桥南路5号楼,{community},{urgency}"


def intake_state() -> tuple:
    """Everything an import may write; equal before and after means the database is unchanged."""
    return (
        list(Ticket.objects.order_by("id").values_list("id", "ticket_no", "content", "updated_at", "visited_at")),
        list(Category.objects.order_by("id").values_list("id", "name")),
        list(ReturnVisit.objects.order_by("id").values_list("id", "ticket_id", "visited_at", "resolved")),
        ImportBatch.objects.count(),
    )
