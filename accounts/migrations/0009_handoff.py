"""The brand's sign-in hand-off (accounts/handoff.py): the brand's id for each
member it signed in, and the one-time ids of the tokens already used."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_integration_key_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='HandoffNonce',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('jti', models.CharField(max_length=255, unique=True)),
                ('expires_at', models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='ExternalIdentity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(choices=[('handoff', 'Brand sign-in hand-off')], max_length=16, verbose_name='provider')),
                ('subject', models.CharField(max_length=255, verbose_name='id at the brand')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='linked at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='external_identities', to=settings.AUTH_USER_MODEL, verbose_name='member')),
            ],
            options={
                'verbose_name': 'external identity',
                'verbose_name_plural': 'external identities',
                'constraints': [models.UniqueConstraint(fields=('provider', 'subject'), name='accounts_external_identity_unique')],
            },
        ),
    ]
