"""Exception applications URLs, under /exceptions/ (no NPI or TIN ever appears in a URL)."""

from django.urls import path

from . import views
from .wizard import wizard_urlpatterns

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *wizard_urlpatterns,
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:reference>/export.pdf", views.export_pdf, name="export_pdf"),
]
