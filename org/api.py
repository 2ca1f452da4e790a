"""The token endpoints: exchange a username and password for an expiring token, and revoke it (org/auth.py)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from org.auth import LOCKED_STATUS, ApiTokenAuthentication, SignInLocked, obtain_token, revoke_token

ERROR = inline_serializer(
    "AuthError",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.JSONField(required=False),
    },
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes org.auth.ApiTokenAuthentication (loaded with the URLconf)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, the token from POST /api/v1/auth/token/; it expires (see `expires_at`).",
        }


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send as `Authorization: Token <token>`; shown only this once")
    expires_at = serializers.DateTimeField(help_text="the token is refused from this moment on")


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Exchange a username and password for an API token",
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ERROR, description="missing fields, or wrong username or password"),
            429: OpenApiResponse(ERROR, description="locked after repeated wrong passwords; try again later"),
        },
        auth=[],
    )
    def post(self, request):
        body = TokenObtainSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            token, key = obtain_token(request, body.validated_data["username"], body.validated_data["password"])
        except SignInLocked as locked:
            return Response({"code": "locked", "detail": str(locked)}, status=LOCKED_STATUS)
        return Response(TokenSerializer({"token": key, "expires_at": token.expiry}).data)


class TokenRevokeView(APIView):
    # only a token can revoke itself: a session has no token to revoke
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke the token this request is authenticated with",
        request=None,
        responses={
            204: OpenApiResponse(description="revoked: the token is refused from now on"),
            401: OpenApiResponse(ERROR, description="no token, or an invalid, expired or revoked one"),
        },
    )
    def post(self, request):
        if request.auth is None:  # a test client that forced a user, without a token
            raise exceptions.NotAuthenticated()
        revoke_token(request, request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
