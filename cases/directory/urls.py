"""The public provider directory; included at "providers/" in config/urls.py."""

from django.urls import path

from cases.directory import views

app_name = "providers"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:slug>/", views.provider_detail, name="provider_detail"),
    path(
        "<slug:slug>/channels/<int:channel_id>/report/",
        views.report_channel,
        name="report_channel",
    ),
]
