"""The cancellation notice; included at the site root in config/urls.py, before cases.urls."""

from django.urls import path

from cases.notices import views

app_name = "notices"

urlpatterns = [
    path("cases/<str:ref>/notice/", views.notice, name="notice"),
    path("cases/<str:ref>/notice/sent/", views.sent, name="sent"),
    path("cases/<str:ref>/notice/<str:language>.pdf", views.notice_pdf, name="notice_pdf"),
    path("cases/<str:ref>/notice/<str:language>.txt", views.notice_text, name="notice_text"),
]
