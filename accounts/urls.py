"""Mounted at the site root, before allauth's URLs, so the paths here win over allauth's."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # allauth's names (account_login, account_confirm_login_code) keep pointing here.
    path("accounts/login/", views.RequestCodeView.as_view(), name="login"),
    path("accounts/login/code/", views.RequestCodeView.as_view(), name="request_code"),
    path("accounts/login/code/confirm/", views.ConfirmCodeView.as_view(), name="confirm_code"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/staff/sign-in/", views.StaffLoginView.as_view(), name="staff_login"),
    path("accounts/preferences/", views.preferences, name="preferences"),
]
