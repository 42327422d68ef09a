"""The staff dashboard; included at "staff/" in config/urls.py."""

from django.urls import path

from cases.staff import directory_views, views

app_name = "staff"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("counts/", views.queue_counts, name="queue_counts"),
    path("changes/", views.list_changes, name="list_changes"),
    path("bulk/", views.bulk, name="bulk"),
    path("cases/<str:ref>/", views.case_detail, name="case_detail"),
    path("cases/<str:ref>/timeline/", views.case_timeline, name="case_timeline"),
    path("cases/<str:ref>/presence/", views.case_presence, name="case_presence"),
    path("cases/<str:ref>/assign/", views.case_assign, name="case_assign"),
    path("cases/<str:ref>/note/", views.case_note, name="case_note"),
    path("cases/<str:ref>/message/", views.case_message, name="case_message"),
    path("cases/<str:ref>/move/", views.case_move, name="case_move"),
    path("cases/<str:ref>/reminders/", views.case_reminders, name="case_reminders"),
    path("cases/<str:ref>/contacts/new/", views.contact_new, name="contact_new"),
    path("cases/<str:ref>/contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider_detail"),
    path(
        "providers/<slug:slug>/channels/<int:channel_id>/",
        views.channel_edit,
        name="channel_edit",
    ),
    path("suggested-providers/", directory_views.suggestion_list, name="suggestion_list"),
    path(
        "suggested-providers/<int:suggestion_id>/",
        directory_views.suggestion_detail,
        name="suggestion_detail",
    ),
    path("reported-details/", directory_views.report_list, name="report_list"),
    path(
        "reported-details/<int:report_id>/resolve/",
        directory_views.report_resolve,
        name="report_resolve",
    ),
    path("stats/", views.stats_page, name="stats_page"),
    path("stats/providers.csv", views.stats_csv, name="stats_csv"),
]
