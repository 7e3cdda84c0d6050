from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm
from lpa import probes, views

urlpatterns = [
    path("", views.home, name="home"),
    # Answered by lpa.probes.ProbeMiddleware before routing; named here for reverse().
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("organizations/", include("organizations.urls")),
    # /rounds/ (frameworks) and /assessments/ (self-assessment): see assessments/urls.py.
    path("", include("assessments.urls")),
    path("review/", include("reviews.urls")),
    path("results/", include("results.urls")),
    path("notifications/", include("notifications.urls")),
    path("exports/", include("exports.urls")),
    path("feedback/", include("feedback.urls")),
    path("guide/", include("guide.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "lpa.views.permission_denied"
