from django.urls import path

from cchc.scoring import ranking_views

urlpatterns = [
    path("index/ranking/", ranking_views.ranking, name="scoring_ranking"),
    path("index/ranking.xlsx", ranking_views.ranking_xlsx, name="scoring_ranking_xlsx"),
    path("index/forecast/", ranking_views.forecast, name="scoring_forecast"),
    path("index/<int:assessment_pk>/package/", ranking_views.package, name="scoring_package"),
    path("index/package/<int:job_id>/", ranking_views.package_ready, name="scoring_package_ready"),
    path(
        "index/package/<int:job_id>/download/",
        ranking_views.package_download,
        name="scoring_package_download",
    ),
]
