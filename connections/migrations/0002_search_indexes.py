from django.db import migrations

from command_center.sync.migration_ops import trigram_indexes


class Migration(migrations.Migration):
    """Trigram indexes (Postgres only) for the free-text searches of the groups and connections lists."""

    dependencies = [("connections", "0001_initial")]

    operations = [
        trigram_indexes(
            # Groups list search by name or DBA name.
            ("connections_group", "name", "group_name_trgm_idx"),
            ("connections_group", "dba_name", "group_dba_name_trgm_idx"),
            # Connections list search over group name and carrier_group_id.
            ("connections_groupconnection", "group_name", "gc_group_name_trgm_idx"),
            ("connections_groupconnection", "carrier_group_id", "gc_carrier_group_id_trgm_idx"),
        )
    ]
