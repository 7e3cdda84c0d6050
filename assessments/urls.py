from django.urls import include, path

from assessments.views import evidence, framework, rounds, self_assessment, workbook

app_name = "assessments"

# Rounds and their frameworks, under /rounds/.
round_patterns = [
    path("", rounds.round_list, name="round_list"),
    path("new/", rounds.round_create, name="round_create"),
    path("<int:year>/", rounds.round_detail, name="round_detail"),
    path("<int:year>/settings/", rounds.round_settings, name="round_settings"),
    path("<int:year>/open/", rounds.round_open, name="round_open"),
    path("<int:year>/changes/", rounds.framework_changes, name="framework_changes"),
    path("<int:year>/changes/export/", rounds.framework_changes_export, name="framework_changes_export"),
    path("<int:year>/export/", workbook.framework_export, name="framework_export"),
    path("<int:year>/import/", workbook.framework_import, name="framework_import"),
    path("<int:year>/dimensions/new/", framework.dimension_add, name="dimension_add"),
    path("<int:year>/dimensions/<int:number>/", framework.dimension_edit, name="dimension_edit"),
    path("<int:year>/dimensions/<int:number>/categories/new/", framework.category_add, name="category_add"),
    path(
        "<int:year>/dimensions/<int:number>/categories/<int:category>/",
        framework.category_edit,
        name="category_edit",
    ),
    # Not under indicators/: an indicator's code is the department's to choose, "new" included.
    path("<int:year>/new-indicator/", framework.indicator_create, name="indicator_create"),
    # <path:code>: a workbook may bring codes with "/" in them. The detail page comes last so
    # that ".../edit/" and ".../remove/" are not read as part of a code.
    path("<int:year>/indicators/<path:code>/edit/", framework.indicator_edit, name="indicator_edit"),
    path("<int:year>/indicators/<path:code>/remove/", framework.indicator_remove, name="indicator_remove"),
    path("<int:year>/indicators/<path:code>/", framework.indicator_detail, name="indicator_detail"),
]

# One organization's assessment, under /assessments/.
assessment_patterns = [
    path("", self_assessment.assessment_list, name="assessment_list"),
    path("<int:pk>/", self_assessment.assessment_detail, name="assessment_detail"),
    path("<int:pk>/dimensions/<int:number>/", self_assessment.assessment_dimension, name="assessment_dimension"),
    path("<int:pk>/indicators/<int:indicator>/", self_assessment.indicator_editor, name="indicator_editor"),
    path("<int:pk>/indicators/<int:indicator>/answer/", self_assessment.answer_save, name="answer_save"),
    path("<int:pk>/indicators/<int:indicator>/files/", evidence.evidence_upload, name="evidence_upload"),
    path("<int:pk>/indicators/<int:indicator>/links/", evidence.evidence_link, name="evidence_link"),
    path("<int:pk>/indicators/<int:indicator>/files/pick/", evidence.evidence_pick, name="evidence_pick"),
    path("<int:pk>/submit/", self_assessment.assessment_submit, name="assessment_submit"),
    path("<int:pk>/print/", self_assessment.assessment_print, name="assessment_print"),
    path("<int:pk>/pdf/", self_assessment.assessment_pdf, name="assessment_pdf"),
    path("<int:pk>/extension/", self_assessment.extension_grant, name="extension_grant"),
    path("evidence/<int:pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", evidence.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/view/", evidence.evidence_view, name="evidence_view"),
]

# One namespace for both, so every page of the app is "assessments:<name>".
urlpatterns = [
    path("rounds/", include(round_patterns)),
    path("assessments/", include(assessment_patterns)),
]
