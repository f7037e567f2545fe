from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("access/request/", views.access_request_choose, name="access_request_choose"),
    path("access/request/<slug:kind>/", views.access_request_create, name="access_request_create"),
    path("access/requests/", views.access_request_list, name="access_request_list"),
    path("access/requests/<int:pk>/", views.access_request_detail, name="access_request_detail"),
    path("access/requests/<int:pk>/approve/", views.access_request_approve, name="access_request_approve"),
    path("access/requests/<int:pk>/deny/", views.access_request_deny, name="access_request_deny"),
    path("access/grants/<slug:grant_type>/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("access/practices/<int:pk>/", views.practice_access, name="practice_access"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
]
