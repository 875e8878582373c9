"""Scheduled reports: a saved view's CSV sent daily or weekly, each message a delivery; the tick's schedule.

The schedule row is created only when missing (like 0012): a schedule staff have edited stays.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TICK = ("Send scheduled reports", "command_center.reports_tick", 1, "minutes",
        "Sends the scheduled reports that are due, once per report and due time.")


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    name, task, every, period, description = TICK
    if not PeriodicTask.objects.filter(name=name).exists():
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.create(name=name, task=task, interval=interval, description=description, enabled=True)
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TICK[0]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('command_center', '0015_front_door'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='report_slot',
            field=models.DateTimeField(blank=True, help_text='Scheduled reports: the time this message was due.', null=True),
        ),
        migrations.CreateModel(
            name='ScheduledReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('frequency', models.CharField(choices=[('daily', 'Daily'), ('weekly', 'Weekly')], default='daily', max_length=8)),
                ('weekday', models.PositiveSmallIntegerField(blank=True, choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], null=True)),
                ('at', models.TimeField(help_text='The time of day it is sent, in time_zone.')),
                ('time_zone', models.CharField(max_length=64)),
                ('enabled', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('scheduled_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When the schedule was last set: earlier slots are not sent.')),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='command_center.channel')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scheduled_reports', to=settings.AUTH_USER_MODEL)),
                ('view', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='command_center.savedview')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='delivery',
            name='report',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='command_center.scheduledreport'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(fields=('report', 'report_slot'), name='delivery_once_per_report_slot'),
        ),
        migrations.AddConstraint(
            model_name='scheduledreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('frequency', 'weekly'), _negated=True), ('weekday__isnull', False), _connector='OR'), name='report_weekly_needs_weekday', violation_error_message='A weekly report needs its day of the week.'),
        ),
        migrations.RunPython(create, remove),
    ]
