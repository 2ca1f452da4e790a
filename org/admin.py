from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from org.models import ApiToken, Channel, District, Street, Unit, User


class UnitChannelInline(admin.TabularInline):
    """A unit's WeCom group robot or webhook: new dispatches and deadline warnings reach the unit there."""

    model = Channel
    fk_name = "unit"
    fields = ["kind", "url", "address", "secret", "is_active"]
    extra = 0


class PersonChannelInline(UnitChannelInline):
    """A person's own channel: what is addressed to them (sign-off waits, the leaders' digest …)."""

    fk_name = "user"


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    inlines = [UnitChannelInline]
    list_display = ["name", "street", "kind", "is_center", "section_leader", "is_active", "sort_order"]
    list_filter = ["street", "kind", "is_active"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    def get_inlines(self, request, obj):
        return [PersonChannelInline] if obj else []  # the add form stays Django's two password fields

    list_display = ["username", "display_name", "role", "street", "is_active"]
    list_filter = ["role", "street", "is_active"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Street role"), {"fields": ["role", "street", "district", "units", "display_name"]}),
    )


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "url", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["unit__name", "user__username", "user__display_name"]
    list_select_related = ["unit", "user"]


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


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class StreetUnitInline(admin.TabularInline):
    model = Unit
    fields = ["name", "kind", "is_center", "sort_order", "is_active"]
    extra = 0


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    """Streets with their units: a street added here gets its units inline (or use add_street)."""

    list_display = ["name", "district"]
    list_filter = ["district"]
    search_fields = ["name"]
    inlines = [StreetUnitInline]
