from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("import/", views.registry_import, name="import"),
    path("<str:code>/", views.organization_detail, name="detail"),
]
