from django.urls import path

from cases.evidence import views

app_name = "evidence"

urlpatterns = [
    path("cases/<str:ref>/proof/add/", views.add, name="add"),
    path("cases/<str:ref>/proof-pack/", views.pack, name="pack"),
    path("cases/<str:ref>/proof-pack/<int:pk>/", views.pack_download, name="pack_download"),
    path("cases/<str:ref>/delete/", views.delete_case, name="delete_case"),
    path("evidence/<int:pk>/", views.show, name="show"),
    path("evidence/<int:pk>/file/", views.download, name="download"),
    path("evidence/<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("evidence/<int:pk>/delete/", views.delete, name="delete"),
]
