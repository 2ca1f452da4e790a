"""Who plays the demo stories: the demo accounts (``demo.accounts``), looked up once per run."""

from __future__ import annotations

from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import Role, Unit, UnitKind, User


def missing(detail: str) -> DomainError:
    """The organisation lacks someone a demo story needs (an account, a unit's handler or leader)."""
    return DomainError(ErrorCode.INVALID, detail)


class Cast:
    """The street's people by what they do: the center, the principal, the platform client, and for
    each unit its handler and its section leader. The same User objects act all along, so the access
    rules' per-user caches (units, overseen units) are filled once."""

    def __init__(self):
        def first(role: str) -> User:
            user = User.objects.filter(role=role, is_active=True).order_by("id").first()
            if user is None:
                raise missing(f"no active account with the role {role}; create the demo accounts first")
            return user

        self.center = first(Role.CENTER_STAFF)
        self.principal = first(Role.PRINCIPAL_LEADER)
        self.platform = first(Role.PLATFORM)
        self.units = {unit.pk: unit for unit in Unit.objects.all()}
        self.by_name = {unit.name: unit for unit in self.units.values()}
        self._handlers: dict[int, User] = {}
        handlers = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True).order_by("id").prefetch_related("units")
        for user in handlers:
            for unit in user.units.all():
                self._handlers.setdefault(unit.pk, user)
        leaders = {user.pk: user for user in User.objects.filter(role=Role.SECTION_LEADER, is_active=True)}
        self._leaders = {
            unit.pk: leaders[unit.section_leader_id]
            for unit in self.units.values()
            if unit.section_leader_id in leaders
        }

    def handler(self, unit_id: int) -> User:
        """The unit's handler (its first active one)."""
        try:
            return self._handlers[unit_id]
        except KeyError:
            raise missing(f"unit {self.units[unit_id].name} has no active handler") from None

    def section_leader(self, unit_id: int) -> User:
        try:
            return self._leaders[unit_id]
        except KeyError:
            raise missing(f"unit {self.units[unit_id].name} has no section leader") from None

    def signer(self, role: str, unit_id: int) -> User:
        """Who signs for ``role`` on a ticket led by ``unit_id`` (the role a draft or request waits for)."""
        return self.section_leader(unit_id) if role == Role.SECTION_LEADER else self.principal

    def departments(self) -> list[Unit]:
        """The handling departments (not the center), in a stable order."""
        return [
            u
            for u in sorted(self.units.values(), key=lambda u: u.pk)
            if u.kind == UnitKind.DEPARTMENT and not u.is_center
        ]

    def units_of(self, user: User) -> list[Unit]:
        """The units a handler works for, or a section leader oversees, in a stable order."""
        if user.role == Role.SECTION_LEADER:
            return sorted((u for u in self.units.values() if u.section_leader_id == user.pk), key=lambda u: u.pk)
        return sorted(user.units.all(), key=lambda u: u.pk)
