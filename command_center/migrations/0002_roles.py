from django.db import migrations


def create_roles(apps, schema_editor):
    from command_center.roles import ensure_roles

    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    """Create the Viewer and Operator groups. Their permissions are (re)applied after every migrate."""

    dependencies = [
        ("command_center", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
