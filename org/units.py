"""The Jiuxianqiao organisation (docs/domain.md §6): the seed every fresh installation starts from."""

JIUXIANQIAO_COMMUNITIES = [
    "大山子社区",
    "中北路社区",
    "高家园社区",
    "红霞路社区",
    "南路社区",
    "电子球场路社区",
    "东路社区",
    "怡思苑社区",
    "驼房营西里社区",
]

CENTER_NAME = "市民诉求处置中心"

JIUXIANQIAO_DEPARTMENTS = [
    CENTER_NAME,
    "综合行政执法队",
    "城市管理办公室",
    "社区建设办公室",
    "平安建设办公室",
    "民生保障办公室",
    "综合保障办公室",
    "党群工作办公室",
    "营商环境办公室",
    "社区服务中心",
]


def load_jiuxianqiao_units(unit_model) -> int:
    """Create the street's units that do not exist yet; returns how many were created."""
    created = 0
    for order, name in enumerate(JIUXIANQIAO_DEPARTMENTS):
        _, was_created = unit_model.objects.get_or_create(
            name=name, defaults={"kind": "department", "is_center": name == CENTER_NAME, "sort_order": order}
        )
        created += was_created
    for order, name in enumerate(JIUXIANQIAO_COMMUNITIES):
        _, was_created = unit_model.objects.get_or_create(
            name=name, defaults={"kind": "community", "sort_order": order}
        )
        created += was_created
    return created
