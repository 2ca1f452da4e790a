"""DRF permissions that ask the ability table (``org.abilities``): ``requires("hotspots.run")``."""

from rest_framework.permissions import BasePermission

from org.abilities import ABILITIES, may


def requires(ability: str, message: str = "") -> type[BasePermission]:
    """A permission class allowing exactly the users who have ``ability``."""
    if ability not in ABILITIES:
        raise KeyError(f"unknown ability {ability!r}")

    class Requires(BasePermission):
        def has_permission(self, request, view) -> bool:
            return may(request.user, ability)

    Requires.__name__ = Requires.__qualname__ = f"Requires_{ability.replace('.', '_')}"
    if message:
        Requires.message = message
    return Requires
