"""Creating accounts: one function used by the add_user command and the demo data."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import District, Role, Street, Unit, User

# Roles whose work is bound to units: a handler without a unit could see nothing.
ROLES_NEEDING_UNITS = {Role.UNIT_HANDLER}
# Roles of the district center: bound to a district, not to a street (docs/district.md).
DISTRICT_ROLES = {Role.DISTRICT_STAFF, Role.DISTRICT_LEADER}


def create_user(
    username: str,
    *,
    role: str,
    unit_names: list[str] | None = None,
    password: str | None = None,
    display_name: str = "",
    street: Street | str | None = None,
    district: District | str | None = None,
) -> User:
    """Create a user with a role and units; for a section leader, the units are the ones they oversee.

    A street's person belongs to ``street`` (default: the only street of the database) and their
    units are that street's; a district role belongs to ``district`` (default: the only district)
    and has no units. A password must pass settings.AUTH_PASSWORD_VALIDATORS; without one the
    account cannot sign in until an administrator sets a password. Any refusal creates nothing."""
    from org.streets import street_named

    unit_names = unit_names or []
    if role not in Role.values:
        raise DomainError(ErrorCode.INVALID, f"unknown role {role!r}; one of: {', '.join(Role.values)}")
    if role in ROLES_NEEDING_UNITS and not unit_names:
        raise DomainError(ErrorCode.INVALID, f"role {role} needs at least one --unit")
    home_street: Street | None = None
    home_district: District | None = None
    if role in DISTRICT_ROLES:
        if unit_names:
            raise DomainError(ErrorCode.INVALID, f"role {role} is the district's: no --unit")
        if isinstance(district, District):
            home_district = district
        elif district:
            home_district = District.objects.filter(name=district).first()
            if home_district is None:
                raise DomainError(ErrorCode.INVALID, f"unknown district {district!r}")
        else:
            districts = list(District.objects.all()[:2])
            if len(districts) != 1:
                raise DomainError(ErrorCode.INVALID, f"role {role} needs --district")
            home_district = districts[0]
    else:
        home_street = street if isinstance(street, Street) else street_named(street)
    units = list(Unit.objects.filter(name__in=unit_names, street=home_street))
    missing = sorted(set(unit_names) - {u.name for u in units})
    if missing:
        raise DomainError(ErrorCode.INVALID, f"unknown unit(s): {', '.join(missing)}")
    if User.objects.filter(username=username).exists():
        raise DomainError(ErrorCode.CONFLICT, f"user {username!r} already exists")
    if password:
        try:
            validate_password(password, user=User(username=username, display_name=display_name))
        except ValidationError as error:
            raise DomainError(
                ErrorCode.INVALID, "password refused: " + " ".join(error.messages), errors={"password": error.messages}
            ) from error
    with transaction.atomic():
        user = User(username=username, role=role, display_name=display_name, street=home_street, district=home_district)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        if role == Role.SECTION_LEADER:
            Unit.objects.filter(pk__in=[u.pk for u in units]).update(section_leader=user)
        user.units.set(units)
    return user
