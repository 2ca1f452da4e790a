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
    """Create the street's units that do not exist yet; returns how many were created.

    ``unit_model`` is the migration's historical model (org 0002, before streets existed) or the
    current one: then the units go into the default street (REPORTING_STREET_NAME in
    REPORTING_DISTRICT_NAME, created when missing; docs/district.md)."""
    scope = {}
    if any(field.name == "street" for field in unit_model._meta.get_fields()):
        from django.conf import settings

        models = unit_model._meta.apps
        district, _ = models.get_model("org", "District").objects.get_or_create(name=settings.REPORTING_DISTRICT_NAME)
        street, _ = models.get_model("org", "Street").objects.get_or_create(
            name=settings.REPORTING_STREET_NAME, defaults={"district": district}
        )
        scope = {"street": street}
    created = 0
    for order, name in enumerate(JIUXIANQIAO_DEPARTMENTS):
        _, was_created = unit_model.objects.get_or_create(
            name=name, **scope, defaults={"kind": "department", "is_center": name == CENTER_NAME, "sort_order": order}
        )
        created += was_created
    for order, name in enumerate(JIUXIANQIAO_COMMUNITIES):
        _, was_created = unit_model.objects.get_or_create(
            name=name, **scope, defaults={"kind": "community", "sort_order": order}
        )
        created += was_created
    return created
