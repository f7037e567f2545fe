"""Project URLs. Every page requires sign-in except the explicit public list (accounts issue)."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("eligibility.urls")),
    path("exceptions/", include("applications.urls")),
    path("", include("scoring.urls")),
]

handler400 = "qpp_exceptions.views.bad_request"
handler403 = "qpp_exceptions.views.permission_denied"
handler404 = "qpp_exceptions.views.page_not_found"
handler500 = "qpp_exceptions.views.server_error"
