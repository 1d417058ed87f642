# The signature's petition_id is indexed by the unique constraint and the indexes that start
# with it, so its own index goes. Only the index: Django's AlterField would also drop and
# re-add the foreign key, whose validation scans every signature while blocking new ones.

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0002_counter_shards'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='signature',
                    name='petition',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='petitions.petition'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "petitions_signature_petition_id_5a17fa21"',
                    reverse_sql='CREATE INDEX "petitions_signature_petition_id_5a17fa21" ON "petitions_signature" ("petition_id")',
                ),
            ],
        ),
    ]
