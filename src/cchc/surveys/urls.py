from django.urls import path

from cchc.surveys import public_views, views

urlpatterns = [
    # Public (no login).
    path("s/d/<str:token>/", public_views.survey_dossier, name="survey_dossier"),
    path("s/<str:agency_code>/", public_views.survey_public, name="survey_public"),
    path("s/<str:agency_code>/kiosk/", public_views.survey_kiosk, name="survey_kiosk"),
    path("s/<str:agency_code>/thanks/", public_views.survey_thanks, name="survey_thanks"),
    path("s/<str:agency_code>/qr.svg", public_views.survey_agency_qr, name="survey_agency_qr"),
    # Back office.
    path("surveys/", views.survey_results, name="survey_results"),
    path("surveys/export.xlsx", views.survey_export_xlsx, name="survey_export_xlsx"),
    path("surveys/qr/", views.survey_qr_print, name="survey_qr_print"),
    path(
        "surveys/dossier/<int:dossier_id>/qr.svg",
        views.survey_dossier_qr,
        name="survey_dossier_qr",
    ),
]
