from django.urls import path

from cchc.plans import import_views, views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/import/", import_views.plan_import, name="plan_import"),
    path(
        "plans/import/template.xlsx",
        import_views.plan_appendix_template,
        name="plan_appendix_template",
    ),
    path(
        "plans/import/<int:job_id>/review/",
        import_views.plan_import_review,
        name="plan_import_review",
    ),
    path("plans/<int:plan_id>/export.xlsx", import_views.plan_export_xlsx, name="plan_export_xlsx"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/issue/", views.plan_issue, name="plan_issue"),
    path("plans/<int:plan_id>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:task_id>/evidence/", views.task_evidence, name="task_evidence"),
    path("tasks/<int:task_id>/comments/", views.task_comment, name="task_comment"),
    path("evidence/<int:evidence_id>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
