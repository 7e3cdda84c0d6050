from django.urls import path

from results import views

app_name = "results"

urlpatterns = [
    path("<int:year>/", views.dashboard, name="dashboard"),
    path("<int:year>/provinces/<str:code>/", views.province_dashboard, name="province_dashboard"),
    path("<int:year>/workbook.xlsx", views.workbook, name="workbook"),
    path("<int:year>/open-data.csv", views.open_data, name="open_data"),
]
