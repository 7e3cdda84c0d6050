from django.urls import path

from guide import views

app_name = "guide"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/pdf/", views.pdf, name="pdf"),
]
