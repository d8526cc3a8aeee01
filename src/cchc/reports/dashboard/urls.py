"""Dashboards for the agency leader and for Sở Nội vụ (issue 7): pages and their JSON endpoints."""

from django.urls import path

from cchc.reports.dashboard import views

urlpatterns = [
    path("dashboards/agency/", views.agency, name="dashboard_agency"),
    path("dashboards/agency/data.json", views.agency_data, name="dashboard_agency_data"),
    path("dashboards/province/", views.province, name="dashboard_province"),
    path("dashboards/province/data.json", views.province_data, name="dashboard_province_data"),
]
