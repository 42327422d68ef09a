"""The "Support agents" group: who may use the staff dashboard (accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support agents"
# Agents read every case and its parts and change cases (through the dashboard's services);
# the directory is read-only to them: admins keep it.
PERMISSIONS = {
    "cases": [
        "view_case",
        "change_case",
        "view_casestep",
        "view_caseevent",
        "view_evidence",
        "view_contactattempt",
        "view_reminder",
    ],
    "providers": ["view_provider", "view_contactchannel", "view_playbook"],
}


def create_group(apps, schema_editor):
    # On a fresh database permissions are only made after all migrations: make them now.
    for label in PERMISSIONS:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("providers", "0002_channel_fax_and_unique_value"),
        ("cases", "0003_staff_queue_indexes"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
