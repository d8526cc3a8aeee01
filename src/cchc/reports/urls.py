from django.urls import path

from cchc.reports import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:report_id>/refresh/", views.report_refresh, name="report_refresh"),
    path(
        "reports/<int:report_id>/download/<str:fmt>/",
        views.report_download,
        name="report_download",
    ),
    path("reports/templates/", views.template_list, name="report_template_list"),
    path("reports/templates/default.docx", views.template_default, name="report_template_default"),
    path(
        "reports/templates/<int:template_id>/download/",
        views.template_download,
        name="report_template_download",
    ),
    path(
        "reports/templates/<int:template_id>/retire/",
        views.template_retire,
        name="report_template_retire",
    ),
]
