from django.contrib import admin

from cchc.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackDeadlineRule,
    FeedbackEvent,
    FeedbackTopic,
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
