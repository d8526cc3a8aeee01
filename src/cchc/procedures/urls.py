from django.urls import path

from cchc.procedures import views

urlpatterns = [
    path("dossiers/", views.dossier_list, name="dossier_list"),
    path("dossiers/upload/", views.dossier_upload, name="dossier_upload"),
    path(
        "dossiers/upload/<int:job_id>/",
        views.dossier_upload_result,
        name="dossier_upload_result",
    ),
    path("dossiers/<int:dossier_id>/", views.dossier_detail, name="dossier_detail"),
]
