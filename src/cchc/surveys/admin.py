"""Administration of the surveys: the questionnaire (aspects and questions inline) is edited
here; responses are shown read-only and without the dossier they came from."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.surveys import services
from cchc.surveys.models import Answer, Aspect, Question, Response, Survey


class AspectInline(admin.TabularInline):
    model = Aspect
    extra = 0


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "aspect", "text", "kind", "required")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the aspects of the survey being edited.
        if db_field.name == "aspect":
            survey_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Aspect.objects.filter(survey_id=survey_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "version", "active", "published_at")
    list_filter = ("active", "agency")
    list_select_related = ("agency",)
    readonly_fields = ("created_at",)
    inlines = [AspectInline, QuestionInline]
    actions = ["new_version", "publish"]

    @admin.action(description=_("Copy as a new version (to edit without touching answers)"))
    def new_version(self, request, queryset) -> None:
        for survey in queryset:
            copy = services.survey_new_version(actor=request.user, survey=survey)
            self.message_user(
                request,
                _("Version %(version)d of %(agency)s was created; edit it, then publish it.")
                % {"version": copy.version, "agency": survey.agency},
            )

    @admin.action(description=_("Publish (make it the agency's active survey)"))
    def publish(self, request, queryset) -> None:
        for survey in queryset:
            try:
                services.survey_publish(actor=request.user, survey=survey)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(version)d of %(agency)s is now the active survey.")
                    % {"version": survey.version, "agency": survey.agency},
                )


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ("question", "value", "text")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read-only. The dossier is not shown: the answers stay unlinked from the citizen for
    whoever browses them; only "tied to a dossier" is."""

    list_display = ("submitted_at", "agency", "channel", "tied_to_dossier", "negative")
    list_filter = ("channel", "negative", "agency")
    list_select_related = ("agency",)
    fields = ("survey", "agency", "channel", "unit", "procedure", "submitted_at", "negative")
    readonly_fields = fields
    inlines = [AnswerInline]

    @admin.display(boolean=True, description=_("tied to a dossier"))
    def tied_to_dossier(self, obj: Response) -> bool:
        return obj.dossier_id is not None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
