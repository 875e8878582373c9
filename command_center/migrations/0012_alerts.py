"""Alerts: channels, subscriptions, alerts, deliveries; the default E-mail channel; the tick's schedule.

The schedule row is created only when missing (like 0005): a schedule staff have edited stays.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


TICK = ("Send alerts", "command_center.alerts_tick", 1, "minutes",
        "Finds new events for the alert subscriptions and sends the digests that are due.")


def create(apps, schema_editor):
    Channel = apps.get_model("command_center", "Channel")
    Channel.objects.get_or_create(name="E-mail", defaults={"kind": "email"})

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
        ('command_center', '0011_idempotent_requests'),
        ('connections', '0009_renewal_decision_create'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Channel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('kind', models.CharField(choices=[('email', 'E-mail'), ('webhook', 'Webhook')], max_length=16)),
                ('url', models.URLField(blank=True, help_text='Webhooks only: the incoming-webhook URL (Slack, Teams...). It is a secret: pages never show it.', max_length=1000)),
                ('enabled', models.BooleanField(default=True, help_text='A disabled channel gets no new alerts.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('consecutive_failures', models.PositiveIntegerField(default=0, help_text='Messages in a row that failed for good.')),
                ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_failed_at', models.DateTimeField(blank=True, null=True)),
                ('last_failure', models.TextField(blank=True, help_text='Why the latest failed message failed, in plain words.')),
            ],
            options={
                'verbose_name': 'alert channel',
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'email'), models.Q(('url', ''), _negated=True), _connector='OR'), name='alert_channel_webhook_has_url', violation_error_message='A webhook channel needs the URL of its incoming webhook.')],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.CharField(blank=True, help_text='The e-mail address; blank for a webhook.', max_length=254)),
                ('state', models.CharField(choices=[('pending', 'Waiting to be sent'), ('retrying', 'Failed, trying again'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('subject', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('alert_count', models.PositiveIntegerField(default=0, help_text='Events the message lists.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('next_attempt_at', models.DateTimeField(blank=True, help_text='When the next try is due, while unfinished.', null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('reason', models.TextField(blank=True, help_text='Why the latest try failed, in plain words.')),
                ('history', models.JSONField(blank=True, default=list, help_text='Each try: {"at", "outcome", "reason", "wait_seconds" before the next}.')),
                ('channel', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='command_center.channel')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'alert delivery',
                'verbose_name_plural': 'alert deliveries',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('topic', models.CharField(choices=[('attention', 'New attention items'), ('family_stale', 'A sync family without a successful sync'), ('write_failed', 'A retry (or another write to Noyo) that failed')], max_length=16)),
                ('attention_kind', models.CharField(blank=True, choices=[('connection_needs_action', 'Connection needs action'), ('connection_stuck', 'Connection stuck'), ('member_request_failed', 'Failed member request'), ('fulfillment_invalid', 'Invalid fulfillment'), ('tracking_difference', 'Unresolved tracking difference'), ('disconnection_review', 'Disconnection to review'), ('renewal_not_ready', 'Renewal not ready'), ('sync_failing', 'Sync keeps failing')], max_length=32)),
                ('family', models.CharField(blank=True, help_text='Blank: every family.', max_length=64)),
                ('stale_minutes', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, help_text='Events before this are not alerted.')),
                ('carrier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='connections.carrier')),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='command_center.channel')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alert_subscriptions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'alert subscription',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(max_length=200)),
                ('topic', models.CharField(choices=[('attention', 'New attention items'), ('family_stale', 'A sync family without a successful sync'), ('write_failed', 'A retry (or another write to Noyo) that failed')], max_length=16)),
                ('occurred_at', models.DateTimeField(help_text="When the event happened (an item's opening, an outage's start).")),
                ('text', models.CharField(max_length=500)),
                ('path', models.CharField(blank=True, help_text='The console page about it, without the host.', max_length=500)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('attention_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='command_center.attentionitem')),
                ('noyo_action', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='connections.noyoaction')),
                ('retry_attempt', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='connections.retryattempt')),
                ('delivery', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='alerts', to='command_center.delivery')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='command_center.subscription')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['-created_at', '-id'], name='delivery_created_idx'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['channel', '-created_at'], name='delivery_channel_idx'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('state__in', ['pending', 'retrying'])), fields=['next_attempt_at'], name='delivery_unfinished_idx'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('topic', 'family_stale'), _negated=True), ('stale_minutes__gte', 1), _connector='OR'), name='alert_stale_needs_minutes'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(condition=models.Q(('delivery__isnull', True)), fields=['created_at', 'id'], name='alert_waiting_idx'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['delivery', 'id'], name='alert_delivery_idx'),
        ),
        migrations.AddConstraint(
            model_name='alert',
            constraint=models.UniqueConstraint(fields=('subscription', 'event'), name='alert_once_per_subscription_event'),
        ),
        migrations.RunPython(create, remove),
    ]
