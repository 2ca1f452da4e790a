from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import Unit, User


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
