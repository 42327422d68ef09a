"""The private calendar feeds; included at the site root in config/urls.py."""

from django.urls import path

from cases.feeds import views

app_name = "feeds"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/reset/", views.reset, name="reset"),
    path("calendar/<str:token>.ics", views.feed, name="ics"),
]
