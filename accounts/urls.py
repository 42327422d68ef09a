"""Mounted at the site root, before allauth's URLs, so the paths here win over allauth's."""

from django.urls import path, re_path

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
    # allauth's password pages, for staff only (accounts.views.staff_password_page).
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/password/set/", views.password_set, name="password_set"),
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/done/", views.password_reset_done, name="password_reset_done"),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="password_reset_from_key",
    ),
    path(
        "accounts/password/reset/key/done/",
        views.password_reset_from_key_done,
        name="password_reset_from_key_done",
    ),
]
