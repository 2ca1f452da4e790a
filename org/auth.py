"""Signing in: the lockout after repeated failures (django-axes) and API tokens that expire (django-rest-knox).

Rules (docs/architecture.md, "Authentication"):
- After ``AXES_FAILURE_LIMIT`` wrong passwords for one username from one address, that pair is refused
  for ``AXES_COOLOFF_TIME``, even with the right password. The sign-in page says so; the token endpoint
  answers 429 with ``{"code": "locked", "detail"}``. Other people behind the same address are not locked.
- An API token works until its expiry (``REST_KNOX["TOKEN_TTL"]`` after it was issued) or until it is
  revoked, whichever comes first. Only its digest is stored, so the database never holds a usable token.
- A new password revokes every API token of its user (``org.models.User.save``).
"""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import User

LOCKED_STATUS = 429


class SignInLocked(Exception):
    """The username is locked out from this address: the password was not even checked."""


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-ins for this account from this address. Try again in %(minutes)d minute, "
        "or ask an administrator to unlock the account.",
        "Too many failed sign-ins for this account from this address. Try again in %(minutes)d minutes, "
        "or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """What django-axes answers instead of a refused sign-in: JSON for the API, the sign-in page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked", "detail": lockout_message()}, status=LOCKED_STATUS)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=LOCKED_STATUS)


def obtain_token(request, username: str, password: str) -> tuple[AuthToken, str]:
    """Check the password (through django-axes) and issue a new token; returns the token row and its key.

    The key is shown once, here: only its digest is stored. The user's expired tokens are deleted.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise SignInLocked(lockout_message())
        raise DomainError(ErrorCode.INVALID, _("Unable to sign in with this username and password."))
    user.auth_token_set.filter(expiry__lt=timezone.now()).delete()
    token, key = AuthToken.objects.create(user=user)
    # the same signal as a sign-in on the page: last_login, and django-axes forgets earlier typos
    user_logged_in.send(sender=User, request=request, user=user)
    return token, key


def revoke_token(request, token: AuthToken) -> None:
    """Revoke the token the request was authenticated with; the holder's other tokens keep working."""
    token.delete()
    user_logged_out.send(sender=User, request=request, user=token.user)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``. A wrong, expired or revoked key gets 401 with one clear detail:
    the three are not told apart, so a caller learns nothing about keys that are not theirs."""

    def authenticate_credentials(self, token: bytes):
        try:
            return super().authenticate_credentials(token)
        except (exceptions.AuthenticationFailed, UnicodeDecodeError) as error:
            raise exceptions.AuthenticationFailed(
                _("Invalid, expired or revoked token: ask for a new one with POST /api/v1/auth/token/.")
            ) from error
