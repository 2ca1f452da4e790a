"""Demo accounts: one per role of docs/domain.md §7, plus one handler for every other unit.

The demo stories are played by these people (``demo.cast``); a production installation creates its
accounts with ``add_user``.
"""

from django.utils.translation import gettext as _

from org.accounts import create_user
from org.models import Role, User
from org.units import CENTER_NAME, JIUXIANQIAO_COMMUNITIES, JIUXIANQIAO_DEPARTMENTS

DEMO_PASSWORD = "jxq-demo-2026"

# (username, role, display name, units): the first account of each role is the one printed first.
_SECTION_A_UNITS = JIUXIANQIAO_COMMUNITIES[:5] + ["综合行政执法队", "城市管理办公室", "平安建设办公室"]
_SECTION_B_UNITS = [name for name in JIUXIANQIAO_COMMUNITIES + JIUXIANQIAO_DEPARTMENTS if name not in _SECTION_A_UNITS]
DEMO_ACCOUNTS = [
    ("center", Role.CENTER_STAFF, "诉求中心 王芳", [CENTER_NAME]),
    ("handler", Role.UNIT_HANDLER, "南路社区 李强", ["南路社区"]),
    ("leader", Role.SECTION_LEADER, "分管领导 张伟", _SECTION_A_UNITS),
    ("principal", Role.PRINCIPAL_LEADER, "街道主任 刘洋", []),
    ("inspector", Role.INSPECTOR, "纪检监察 陈静", []),
    ("platform", Role.PLATFORM, "12345 平台接口", []),
    ("leader2", Role.SECTION_LEADER, "分管领导 赵敏", _SECTION_B_UNITS),
    ("admin", Role.CENTER_ADMIN, "诉求中心 系统管理员 周洁", [CENTER_NAME]),
    # the district center reads the league of its streets (docs/district.md)
    ("district", Role.DISTRICT_STAFF, "区诉求中心 孙磊", []),
    ("district_leader", Role.DISTRICT_LEADER, "区领导 吴刚", []),
]


def _unit_handler_accounts() -> list[tuple[str, str, str, list[str]]]:
    """One handler account per unit (h01, h02, ...) besides the named ones above."""
    names = [n for n in JIUXIANQIAO_COMMUNITIES + JIUXIANQIAO_DEPARTMENTS if n not in (CENTER_NAME, "南路社区")]
    return [(f"h{index:02d}", Role.UNIT_HANDLER, f"{name} 承办人", [name]) for index, name in enumerate(names, 1)]


def create_demo_accounts() -> list[User]:
    """Create the demo accounts that do not exist yet; returns every demo account, in display order.

    The shared demo password is checked by the validators and hashed once (PBKDF2 costs a third of a
    second per hash); the other new accounts get the same hash.
    """
    accounts, new_ids = [], []
    hashed = None
    for username, role, display_name, unit_names in DEMO_ACCOUNTS + _unit_handler_accounts():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                username,
                role=role,
                unit_names=unit_names,
                password=None if hashed else DEMO_PASSWORD,
                display_name=display_name,
            )
            if hashed is None:
                hashed = user.password
            else:
                new_ids.append(user.pk)
        accounts.append(user)
    if new_ids:
        User.objects.filter(pk__in=new_ids).update(password=hashed)
        for user in accounts:
            if user.pk in new_ids:
                user.password = hashed
    return accounts


def demo_account_lines() -> list[str]:
    """The lines `make run` and `seed_demo` print: one account per role, with the shared demo password."""
    lines = [_("Demo accounts (password for all: %(password)s):") % {"password": DEMO_PASSWORD}]
    for username, role, display_name, unit_names in DEMO_ACCOUNTS:
        if not User.objects.filter(username=username).exists():
            continue
        units = "、".join(unit_names[:3]) + ("…" if len(unit_names) > 3 else "")
        lines.append(f"  {username:<10} {Role(role).label} · {display_name}" + (f" · {units}" if units else ""))
    lines.append("  h01…h17    " + str(_("Unit handler, one for each other unit")))
    return lines
