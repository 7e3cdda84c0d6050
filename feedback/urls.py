from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_mine, name="mine"),
    path("new/", views.feedback_new, name="new"),
    path("all/", views.feedback_list, name="list"),
    path("all/export.xlsx", views.feedback_export, name="export"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/answer/", views.feedback_answer, name="answer"),
    path("<int:pk>/screenshot/", views.feedback_screenshot, name="screenshot"),
]
