from django.urls import path

from . import views

urlpatterns = [
    path("participation-status/", views.participation_status, name="participation_status"),
    path("api/eligibility/npi/<str:npi>", views.npi_api, name="eligibility_npi_api"),
    path("api/eligibility/tin/<str:tin>", views.tin_api, name="eligibility_tin_api"),
]
