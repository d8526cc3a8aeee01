from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc.feedback.keys import open311_key_revoke
from cchc.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackDeadlineRule,
    FeedbackEvent,
    FeedbackTopic,
    Open311Key,
)


@admin.register(FeedbackTopic)
class FeedbackTopicAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "agency", "unit", "active", "position")
    list_filter = ("agency", "active")
    search_fields = ("name", "code")
    list_select_related = ("agency", "unit")
    raw_id_fields = ("unit",)


@admin.register(FeedbackDeadlineRule)
class FeedbackDeadlineRuleAdmin(admin.ModelAdmin):
    """The handling deadlines in working days, each with its legal source and period."""

    list_display = ("step", "working_days", "valid_from", "valid_to", "source")
    list_filter = ("step",)


class FeedbackEventInline(admin.TabularInline):
    model = FeedbackEvent
    extra = 0
    can_delete = False
    fields = ("at", "state", "actor", "public", "from_sender", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class FeedbackAttachmentInline(admin.TabularInline):
    model = FeedbackAttachment
    extra = 0
    can_delete = False
    fields = ("original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Feedback is received and handled through the pages (services keep its deadlines, events
    and audit trail); the admin shows it, the sender's contact details read-only."""

    list_display = ("public_id", "agency", "topic", "state", "received_at", "due_at", "on_time")
    list_filter = ("agency", "state", "classification", "channel")
    search_fields = ("public_id", "title")
    list_select_related = ("agency", "topic")
    date_hierarchy = "received_at"
    inlines = [FeedbackEventInline, FeedbackAttachmentInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys are issued by ``cchc create_api_key`` (the raw key is shown once, only its hash is
    kept); here they are listed and revoked."""

    list_display = ("prefix", "agency", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("agency",)
    search_fields = ("prefix", "name")
    list_select_related = ("agency",)
    fields = ("agency", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("agency", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset) -> None:
        for key in queryset:
            open311_key_revoke(key=key, actor=request.user)
