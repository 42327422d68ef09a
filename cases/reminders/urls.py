"""Reminder controls; included at "reminders/" in config/urls.py."""

from django.urls import path

from cases.reminders import views

app_name = "reminders"

urlpatterns = [
    path("stop/<str:token>/", views.stop, name="stop"),
    path("case/<str:ref>/stop/", views.case_stop, name="case_stop"),
    path("case/<str:ref>/resume/", views.case_resume, name="case_resume"),
    path("case/<str:ref>/snooze/", views.case_snooze, name="case_snooze"),
]
