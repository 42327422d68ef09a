"""Create the demo customer, agent and admin (idempotent) and print how to sign in."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import roles
from accounts.models import User

# The demo agent may edit the directory's contact channels, so the demo shows the Edit links
# on a provider's page; other agents get it from an admin (a user's or a group's permissions).
AGENT_PERMISSIONS = [("providers", "change_contactchannel")]

# A well-known password is fine for a laptop demo and nowhere else: see handle().
DEMO_PASSWORD = "closeout-demo"  # noqa: S105

DEMO_USERS = [
    {
        "role": "customer",
        "email": "customer@demo.closeout.local",
        "display_name": "Demo Customer",
        "preferred_language": "en",
        "time_zone": "Europe/London",
        "is_staff": False,
        "is_superuser": False,
    },
    {
        "role": "agent",
        "email": "agent@demo.closeout.local",
        "display_name": "Demo Agent",
        "preferred_language": "en",
        "time_zone": "Europe/London",
        "is_staff": True,
        "is_superuser": False,
    },
    {
        "role": "admin",
        "email": "admin@demo.closeout.local",
        "display_name": "Demo Admin",
        "preferred_language": "en",
        "time_zone": "Europe/London",
        "is_staff": True,
        "is_superuser": True,
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo customer, agent and admin, and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Password for the demo agent and admin (default: a fixed demo password, "
            "only allowed with DEBUG on).",
        )

    def handle(self, *args, password: str | None = None, **options) -> None:
        if password is None:
            if not settings.DEBUG:
                raise CommandError(
                    "Refusing to give staff accounts the well-known demo password with DEBUG "
                    "off; pass --password."
                )
            password = DEMO_PASSWORD
        with transaction.atomic():
            for spec in DEMO_USERS:
                self.ensure_user(spec, password=password)

        site = settings.SITE_URL
        mailer: dict = settings.MAILERS["default"]
        mail = mailer.get("OPTIONS", {}).get("file_path")
        where = f"the .eml files in {mail}" if mail else "your mail server"
        self.stdout.write(
            "Demo logins:\n"
            f"  customer  {DEMO_USERS[0]['email']:<30} sign in with an emailed code "
            f"(read it in {where})\n"
            f"  agent     {DEMO_USERS[1]['email']:<30} password: {password}  "
            f"(may edit providers' contact channels)\n"
            f"  admin     {DEMO_USERS[2]['email']:<30} password: {password}  ({site}/admin/)\n"
        )

    @staticmethod
    def ensure_user(spec: dict, *, password: str) -> User:
        fields = {key: value for key, value in spec.items() if key not in {"role", "email"}}
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is None:
            user = User(email=spec["email"])
        for key, value in fields.items():
            setattr(user, key, value)
        user.is_active = True
        if spec["is_staff"]:
            # Reset on every run so the printed login always works.
            user.set_password(password)
        else:
            # Customers never have a password: they sign in by a one-time code.
            user.set_unusable_password()
        user.save()
        if spec["role"] == "agent":
            roles.make_support_agent(user)
            for app_label, codename in AGENT_PERMISSIONS:
                user.user_permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
        EmailAddress.objects.update_or_create(
            user=user,
            email=spec["email"],
            defaults={"verified": True, "primary": True},
        )
        return user
