from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from cchc.api import dossier_views, metrics_views, views

app_name = "api"

urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<int:pk>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("agencies/<int:pk>/units/", views.AgencyUnitsView.as_view(), name="agency-units"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/issue/", views.PlanIssueView.as_view(), name="plan-issue"),
    path("plans/<int:pk>/areas/", views.PlanAreasView.as_view(), name="plan-areas"),
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<int:pk>/progress/", views.TaskProgressView.as_view(), name="task-progress"),
    path("tasks/<int:pk>/evidence/", views.TaskEvidenceView.as_view(), name="task-evidence"),
    path("tasks/<int:pk>/comments/", views.TaskCommentsView.as_view(), name="task-comments"),
    path(
        "evidence/<int:pk>/download/",
        views.EvidenceDownloadView.as_view(),
        name="evidence-download",
    ),
    path("metrics/", metrics_views.MetricsView.as_view(), name="metrics"),
    path("metrics/late/", metrics_views.MetricsLateView.as_view(), name="metrics-late"),
    path("dossiers/", dossier_views.DossierListView.as_view(), name="dossier-list"),
    path("dossiers/batch", dossier_views.DossierBatchView.as_view(), name="dossier-batch"),
    path("dossiers/<int:pk>/", dossier_views.DossierDetailView.as_view(), name="dossier-detail"),
    # Last: what matched nothing above is answered in JSON, as the schema documents.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),
]
