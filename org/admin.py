from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from org.models import ApiToken, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_center", "section_leader", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Street role"), {"fields": ["role", "units", "display_name"]}),)


# knox registers its own token admin (with a form that issues tokens); ours only lists and revokes.
admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Deleting a token revokes it. Tokens are issued by POST /api/v1/auth/token/, never here: the admin
    would see the key, and the key's lifetime would not follow API_TOKEN_TTL_HOURS."""

    list_display = ["user", "created", "expiry"]
    list_filter = ["user__role"]
    search_fields = ["user__username", "user__display_name"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields
    ordering = ["-created"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
