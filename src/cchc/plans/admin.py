from django.contrib import admin

from cchc.plans.models import Area, Comment, Evidence, LegalReference, Plan, ProgressUpdate, Task


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "year", "status")
    list_filter = ("year", "status")
    inlines = [AreaInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "agency", "lead_unit", "due_date", "status", "progress")
    list_filter = ("status", "plan__year")
    search_fields = ("code", "title")
    raw_id_fields = ("parent",)


admin.site.register(ProgressUpdate)
admin.site.register(Evidence)
admin.site.register(Comment)


@admin.register(LegalReference)
class LegalReferenceAdmin(admin.ModelAdmin):
    list_display = ("plan", "kind", "number", "date", "issuer")
    search_fields = ("number", "issuer")
