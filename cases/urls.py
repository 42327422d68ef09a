from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("cases/<str:ref>/kind/", views.kind, name="kind"),
    path("cases/<str:ref>/keep-number/", views.keep_number, name="keep_number"),
    path("cases/<str:ref>/keep-number/how/", views.porting, name="porting"),
    path("cases/<str:ref>/provider/", views.provider, name="provider"),
    path("cases/<str:ref>/line-details/", views.line_details, name="line_details"),
    path("cases/<str:ref>/save/", views.save, name="save"),
    path("cases/<str:ref>/discard/", views.discard, name="discard"),
    path("cases/<str:ref>/", views.detail, name="detail"),
    path("cases/<str:ref>/timeline/", views.timeline, name="timeline"),
    path("cases/<str:ref>/precautions/", views.precautions, name="precautions"),
    path("cases/<str:ref>/precautions/done/", views.start_steps, name="start_steps"),
    path("cases/<str:ref>/steps/<int:number>/", views.step, name="step"),
    path("cases/<str:ref>/outcome/", views.outcome, name="outcome"),
    path("cases/<str:ref>/billing-check/", views.billing_check, name="billing_check"),
    path("cases/<str:ref>/esim/", views.esim_fact, name="esim_fact"),
    path("cases/<str:ref>/escalate/", views.escalate, name="escalate"),
]
