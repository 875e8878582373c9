"""API writes remember their Idempotency-Key: one row per user and key, with the first answer."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('command_center', '0010_api_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IdempotentRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="The client's Idempotency-Key, as sent.", max_length=255)),
                ('method', models.CharField(max_length=10)),
                ('path', models.TextField()),
                ('body_digest', models.CharField(help_text="SHA-256 of the request's values, keys sorted.", max_length=64)),
                ('token', models.UUIDField(default=uuid.uuid4, help_text='The once-only token of the write underneath.', unique=True)),
                ('state', models.CharField(choices=[('in_progress', 'Being processed'), ('done', 'Answered')], default='in_progress', max_length=16)),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('response_body', models.JSONField(blank=True, help_text='The first answer, as sent.', null=True)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When a request last took it up.')),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['created'], name='idempotentrequest_created_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='idempotentrequest_one_per_key')],
            },
        ),
    ]
