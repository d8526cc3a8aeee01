from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cchc.core.models import (
    Agency,
    ApiToken,
    AuditEntry,
    CalendarException,
    Membership,
    Notification,
    Unit,
    User,
    WorkingHours,
)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    inlines = [UnitInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Civil servant"), {"fields": ("full_name", "job_title")}),
    )
    list_display = ("username", "full_name", "email", "is_active")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "agency", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor__username")

    def has_add_permission(self, request):  # the trail is written by services only
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


admin.site.register(Notification)
admin.site.site_header = _("cchc administration")


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Extra days off and working days; they win over the ``holidays`` package (DESIGN §4.1)."""

    list_display = ("date", "kind", "reason", "decision")
    list_filter = ("kind",)
    search_fields = ("reason", "decision")
    date_hierarchy = "date"
    readonly_fields = ("created_at", "updated_at")


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = (
        "valid_from",
        "valid_to",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "source",
    )
    readonly_fields = ("updated_at",)
