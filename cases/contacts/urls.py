"""The contact log; included at the site root in config/urls.py, before cases.urls."""

from django.urls import path

from cases.contacts import views

app_name = "contacts"

urlpatterns = [
    path("cases/<str:ref>/contacts/new/", views.new, name="new"),
    path("cases/<str:ref>/contacts/<int:pk>/edit/", views.edit, name="edit"),
]
