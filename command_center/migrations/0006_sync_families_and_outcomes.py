import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """SyncLock becomes SyncFamily: the same claim, plus each family's latest outcome; runs keep
    each family's outcome and what the client absorbed."""

    dependencies = [
        ("command_center", "0005_sync_schedules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="syncrun",
            name="status",
            field=models.CharField(
                choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"),
                         ("partial", "Partly synced"), ("failed", "Failed"), ("skipped", "Skipped")],
                default="queued", max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="absorbed",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="syncrun",
            name="families",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RenameModel(old_name="SyncLock", new_name="SyncFamily"),
        migrations.AlterModelOptions(name="syncfamily", options={"verbose_name_plural": "sync families"}),
        migrations.AlterField(
            model_name="syncfamily",
            name="run",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="held_families", to="command_center.syncrun",
            ),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_attempt_run",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="command_center.syncrun"
            ),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_attempt_at",
            field=models.DateTimeField(blank=True, help_text="When the latest run of the family ended.", null=True),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_outcome",
            field=models.CharField(
                blank=True, max_length=16,
                choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"),
                         ("partial", "Partly synced"), ("failed", "Failed"), ("skipped", "Skipped")],
            ),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_message",
            field=models.TextField(blank=True, help_text="The latest run's outcome for this family, in plain words."),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_read_at",
            field=models.DateTimeField(
                blank=True, null=True,
                help_text="When a run last read the family's lists (succeeded, or finished with failed records).",
            ),
        ),
        migrations.AddField(
            model_name="syncfamily",
            name="last_success_at",
            field=models.DateTimeField(blank=True, help_text="When a run of the family last fully succeeded.", null=True),
        ),
    ]
