"""Stored results: every assessment's scores, overall and per dimension.

Dashboards and reports aggregate these rows instead of scoring a million answers again.
They are written only by results/scores.py, in the same transaction as every change that
moves a score: one saved answer or verified answer updates its assessment's rows from that
indicator alone (update_results); anything else (a framework correction, a round opened)
scores the assessments again (refresh_results). `recompute_results` rebuilds them from
scratch and `recompute_results --check` reports every row that disagrees; a property test
proves both ways give the same rows.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment

OVERALL = 0


class ResultQuerySet(models.QuerySet):
    def overall(self) -> "ResultQuerySet":
        return self.filter(dimension=OVERALL)

    def dimensions(self) -> "ResultQuerySet":
        return self.exclude(dimension=OVERALL)


class Result(models.Model):
    """One assessment's self-assessed and verified score: overall (dimension 0) or one dimension.

    Percentages are the reported figures (assessments/scoring.py): 2 places, rounded half up
    once from points ÷ full marks, and band and pass (on the overall row only) are judged on
    them, so what is stored is what every page and export shows. `verified_indicators` counts indicators with a verified result, against
    `indicators` that apply, so a partly reviewed assessment can be told from a finished one.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    dimension = models.PositiveSmallIntegerField(_("ด้าน (0 = รวม)"))
    indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่นับคะแนน"), default=0)
    answered_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ตอบแล้ว"), default=0)
    verified_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ตรวจแล้ว"), default=0)
    self_points = models.DecimalField(_("คะแนนประเมินตนเอง"), max_digits=9, decimal_places=2, default=0)
    self_full_marks = models.DecimalField(_("คะแนนเต็ม (ประเมินตนเอง)"), max_digits=9, decimal_places=2, default=0)
    self_percent = models.DecimalField(_("ร้อยละ (ประเมินตนเอง)"), max_digits=5, decimal_places=2, null=True)
    self_band = models.CharField(_("ระดับ (ประเมินตนเอง)"), max_length=100, blank=True)
    self_passed = models.BooleanField(_("ผ่าน (ประเมินตนเอง)"), null=True)
    verified_points = models.DecimalField(_("คะแนนที่ตรวจได้"), max_digits=9, decimal_places=2, default=0)
    verified_full_marks = models.DecimalField(_("คะแนนเต็ม (ผลการตรวจ)"), max_digits=9, decimal_places=2, default=0)
    verified_percent = models.DecimalField(_("ร้อยละ (ผลการตรวจ)"), max_digits=5, decimal_places=2, null=True)
    verified_band = models.CharField(_("ระดับ (ผลการตรวจ)"), max_length=100, blank=True)
    verified_passed = models.BooleanField(_("ผ่าน (ผลการตรวจ)"), null=True)
    # Of the counted indicators the team verified (results/scores.py, Part.review_counts):
    # those it gave other points (or whose "not applicable" claim it did not confirm), those it
    # lowered, the organization's N/A claims among them and the claims it confirmed.
    changed_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ผลการตรวจต่างจากที่ประเมินตนเอง"), default=0)
    lowered_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ผลการตรวจต่ำกว่าที่ประเมินตนเอง"), default=0)
    claimed_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ขอไม่มีภารกิจ"), default=0)
    confirmed_indicators = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่ยืนยันว่าไม่มีภารกิจ"), default=0)
    # On the overall row only: each answered or verified indicator's part in the sums (see
    # results/scores.py, Part) and the fingerprint of the rules they were scored by, so one
    # changed answer updates the sums from its old and new part without scoring the rest.
    indicator_points = models.JSONField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "dimension"]
        verbose_name = _("ผลการประเมิน")
        verbose_name_plural = _("ผลการประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="result_once_per_dimension"),
            models.CheckConstraint(
                condition=Q(self_points__gte=0, self_full_marks__gte=0, verified_points__gte=0, verified_full_marks__gte=0),
                name="result_points_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(self_points__lte=models.F("self_full_marks"))
                & Q(verified_points__lte=models.F("verified_full_marks")),
                name="result_points_within_full_marks",
            ),
            models.CheckConstraint(
                condition=Q(self_percent__isnull=True) | Q(self_percent__gte=0, self_percent__lte=100),
                name="result_self_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(verified_percent__isnull=True) | Q(verified_percent__gte=0, verified_percent__lte=100),
                name="result_verified_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(verified_indicators__lte=models.F("indicators"), answered_indicators__lte=models.F("indicators")),
                name="result_verified_within_indicators",
            ),
        ]
        indexes = [models.Index(fields=["dimension", "assessment"], name="result_by_dimension")]

    def __str__(self) -> str:
        return f"{self.assessment} ด้าน {self.dimension or 'รวม'}"
