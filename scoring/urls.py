from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("weights-calculator/", views.weights_calculator, name="weights_calculator"),
    path("api/reweighting/preview", views.preview_api, name="preview_api"),
]
