"""A document's delivery record names who received it (送达对象/签收人) and, for 邮寄送达, the tracking number."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0016_bigram_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="delivery_receiver",
            field=models.CharField(blank=True, max_length=100, verbose_name="送达对象（签收人）"),
        ),
        migrations.AddField(
            model_name="document",
            name="tracking_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="邮件单号"),
        ),
    ]
