from django.urls import path

from results.views import analysis, dashboards, downloads, reports, scorecard

app_name = "results"

urlpatterns = [
    path("<int:year>/", dashboards.dashboard, name="dashboard"),
    path("<int:year>/dashboard.xlsx", dashboards.dashboard_workbook, name="dashboard_workbook"),
    path("<int:year>/report.pdf", reports.national_report_pdf, name="national_report_pdf"),
    path("<int:year>/provinces/<str:code>/", dashboards.province_dashboard, name="province_dashboard"),
    path(
        "<int:year>/provinces/<str:code>/dashboard.xlsx",
        dashboards.province_dashboard_workbook,
        name="province_dashboard_workbook",
    ),
    path("<int:year>/provinces/<str:code>/report.pdf", reports.province_report_pdf, name="province_report_pdf"),
    path("<int:year>/organizations/<str:code>/", scorecard.organization_scorecard, name="organization_scorecard"),
    path("<int:year>/organizations/<str:code>/scorecard.pdf", scorecard.scorecard_pdf, name="scorecard_pdf"),
    path("<int:year>/organizations/<str:code>/scorecard.xlsx", scorecard.scorecard_workbook, name="scorecard_workbook"),
    path(
        # <path:…>: an indicator code may hold "/" (see assessments/urls.py).
        "<int:year>/organizations/<str:code>/indicators/<path:indicator>/",
        scorecard.organization_indicator,
        name="organization_indicator",
    ),
    path("<int:year>/workbook.xlsx", downloads.workbook, name="workbook"),
    path("<int:year>/open-data.csv", downloads.open_data, name="open_data"),
    path("<int:year>/calibration/", analysis.calibration, name="calibration"),
    path("<int:year>/calibration.xlsx", analysis.calibration_workbook, name="calibration_workbook"),
    path("<int:year>/weak-spots/", analysis.weak_spots, name="weak_spots"),
    path("<int:year>/weak-spots.xlsx", analysis.weak_spots_workbook, name="weak_spots_workbook"),
]
