"""Dashboards for the agency leader and for Sở Nội vụ (issue 7): pages and their JSON endpoints."""
