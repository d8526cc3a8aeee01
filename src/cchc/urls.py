from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cchc.api.urls")),
    path("", include("cchc.core.urls")),
    path("", include("cchc.plans.urls")),
    path("", include("cchc.indicators.urls")),
    path("", include("cchc.procedures.urls")),
    path("", include("cchc.feedback.urls")),
    path("open311/v2/", include("cchc.feedback.open311_urls")),
    path("", include("cchc.surveys.urls")),
    path("", include("cchc.scoring.urls")),
    path("", include("cchc.scoring.ranking_urls")),
    path("", include("cchc.reports.urls")),
    path("", include("cchc.reports.dashboard.urls")),
]
