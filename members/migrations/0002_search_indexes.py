from django.db import migrations

from command_center.sync.migration_ops import trigram_indexes


class Migration(migrations.Migration):
    """Trigram indexes (Postgres only) for the employees search by first or last name (partial, any case)."""

    dependencies = [("members", "0001_initial")]

    operations = [
        trigram_indexes(
            ("members_employee", "first_name", "employee_first_name_trgm_idx"),
            ("members_employee", "last_name", "employee_last_name_trgm_idx"),
        )
    ]
