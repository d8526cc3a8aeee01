from django.urls import path

from cchc.indicators import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/<int:target_id>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:target_id>/report/", views.indicator_report, name="indicator_report"),
    path(
        "indicators/<int:target_id>/late.xlsx",
        views.indicator_late_xlsx,
        name="indicator_late_xlsx",
    ),
]
