"""The portal's URLs plus the bare view (the ceiling), for ``bench.settings`` only: never in production."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """Does nothing: what a request costs through the same gunicorn, middleware stack and URL resolver."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """Does nothing for a signed-in user: what every signed-in page pays before its own work (the session
    read, the user read and the session middleware's checks). A reference, not a target."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("bench/bare-signed-in", bare_signed_in, name="bench_bare_signed_in"),
    path("", include("qpp_exceptions.urls")),
]

handler400 = "qpp_exceptions.views.bad_request"
handler403 = "qpp_exceptions.views.permission_denied"
handler404 = "qpp_exceptions.views.page_not_found"
handler500 = "qpp_exceptions.views.server_error"
