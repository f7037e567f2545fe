"""The portal's URLs plus the bare view (the ceiling), for ``bench.settings`` only: never in production."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """Does nothing: what a request costs through the same gunicorn, middleware stack and URL resolver."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("", include("qpp_exceptions.urls")),
]

handler400 = "qpp_exceptions.views.bad_request"
handler403 = "qpp_exceptions.views.permission_denied"
handler404 = "qpp_exceptions.views.page_not_found"
handler500 = "qpp_exceptions.views.server_error"
