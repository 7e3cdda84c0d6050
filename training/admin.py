from django.contrib import admin

from training.models import TrainingAccount, TrainingDay, TrainingOrganization

admin.site.register(TrainingDay)
admin.site.register(TrainingOrganization, list_display=["organization", "created"])
admin.site.register(TrainingAccount, list_display=["user", "province"], raw_id_fields=["user"], exclude=["initial_password"])
