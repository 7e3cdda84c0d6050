from django.urls import path

from assessments.views import framework, rounds, workbook

app_name = "assessments"
urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("new/", rounds.round_create, name="round_create"),
    path("<int:year>/", rounds.round_detail, name="round_detail"),
    path("<int:year>/settings/", rounds.round_settings, name="round_settings"),
    path("<int:year>/open/", rounds.round_open, name="round_open"),
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
