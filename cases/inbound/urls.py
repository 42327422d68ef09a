from django.urls import path

from cases.inbound import views

app_name = "inbound"

urlpatterns = [
    path("cases/<str:ref>/email-address/reset/", views.reset, name="reset"),
    path("cases/<str:ref>/email/<int:pk>/accept/", views.accept, name="accept"),
    path("cases/<str:ref>/email/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("staff/unmatched-mail/", views.unmatched, name="unmatched"),
    path("staff/unmatched-mail/<int:pk>/", views.unmatched_action, name="unmatched_action"),
]
