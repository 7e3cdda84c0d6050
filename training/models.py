"""What the training command made, so that it can tell its own data from real data and put it back.

A practice copy has one TrainingDay (the day, the assessment year, the provinces); every
account it made has a TrainingAccount (with the hash of the one-time password handed out,
so a reset gives the same password back and the trainers' sheets stay valid); every
organization it picked or made has a TrainingOrganization.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingDay(models.Model):
    day = models.DateField(_("วันฝึกอบรม"))
    year = models.PositiveSmallIntegerField(_("ปีการประเมิน (พ.ศ.)"))
    provinces = models.ManyToManyField("organizations.Province", verbose_name=_("จังหวัด"), related_name="+")
    # The framework workbook the round was made from (a path on the server), for the reset.
    framework = models.CharField(_("ไฟล์กรอบการประเมิน"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("วันฝึกอบรม")
        verbose_name_plural = _("วันฝึกอบรม")

    def __str__(self) -> str:
        return f"{self.day} ({self.year})"


class TrainingAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_account")
    province = models.ForeignKey("organizations.Province", on_delete=models.PROTECT, related_name="+")
    # The password hash as handed out (never the password): the user must change it at first
    # sign-in while it is still this one, and a reset puts it back.
    initial_password = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("บัญชีฝึกอบรม")
        verbose_name_plural = _("บัญชีฝึกอบรม")

    def __str__(self) -> str:
        return str(self.user)


class TrainingOrganization(models.Model):
    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="training_mark"
    )
    # Made by the command (an empty registry) rather than picked from the registry.
    created = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("อปท. ฝึกอบรม")
        verbose_name_plural = _("อปท. ฝึกอบรม")

    def __str__(self) -> str:
        return str(self.organization)
