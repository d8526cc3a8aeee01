from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cchc.core import health, job_views, views
from cchc.core.security import views as security_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", security_views.two_factor_verify, name="two_factor_verify"),
    path("notifications/", views.notifications, name="notifications"),
    path("history/", views.activity, name="activity"),
    path("jobs/<int:job_id>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/status/", job_views.job_status, name="job_status"),
]

if settings.CCHC_OIDC_ENABLED:
    # Single sign-on: /accounts/oidc/authenticate/ and the provider's callback.
    urlpatterns.append(path("accounts/oidc/", include("mozilla_django_oidc.urls")))
