"""Reminder controls; included at "reminders/" in config/urls.py."""

from django.urls import path

from cases import reminder_views

app_name = "reminders"

urlpatterns = [
    path("stop/<str:token>/", reminder_views.stop, name="stop"),
    path("case/<str:ref>/stop/", reminder_views.case_stop, name="case_stop"),
    path("case/<str:ref>/resume/", reminder_views.case_resume, name="case_resume"),
    path("case/<str:ref>/snooze/", reminder_views.case_snooze, name="case_snooze"),
]
