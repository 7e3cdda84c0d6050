from django.urls import path

from reviews.views import actions, appeals, board, history, review, teams

app_name = "reviews"

urlpatterns = [
    # Assessors' queue, the province's board and teams (reviews/views/board.py, teams.py).
    path("", board.queue, name="queue"),
    path("<int:year>/provinces/<str:province>/", board.province_board, name="province_board"),
    path("<int:year>/provinces/<str:province>/approve/", board.bulk_approve, name="bulk_approve"),
    path("<int:year>/provinces/<str:province>/teams/new/", teams.team_create, name="team_create"),
    path("<int:year>/publish/", board.round_publish, name="round_publish"),
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/assign/", teams.team_assign, name="team_assign"),
    path("teams/<int:pk>/visits/", teams.team_visits, name="team_visits"),
    # Reviewing one assessment (reviews/views/review.py).
    path("assessments/<int:pk>/", review.review_detail, name="review_detail"),
    path("assessments/<int:pk>/dimensions/<int:number>/", review.review_dimension, name="review_dimension"),
    path("assessments/<int:pk>/indicators/<int:indicator>/review/", review.review_editor, name="review_editor"),
    path(
        "assessments/<int:pk>/indicators/<int:indicator>/verified/",
        review.verified_answer_save,
        name="verified_answer_save",
    ),
    path("assessments/<int:pk>/indicators/<int:indicator>/comments/", review.comment_add, name="comment_add"),
    # The workflow's buttons (reviews/views/actions.py).
    path("assessments/<int:pk>/start/", actions.review_start, name="review_start"),
    path("assessments/<int:pk>/return/", actions.review_return, name="review_return"),
    path("assessments/<int:pk>/verify/", actions.review_verify, name="review_verify"),
    path("assessments/<int:pk>/approve/", actions.review_approve, name="review_approve"),
    path("assessments/<int:pk>/reopen/", actions.review_reopen, name="review_reopen"),
    # The trail (reviews/views/history.py).
    path("assessments/<int:pk>/history/", history.history, name="history"),
    path("assessments/<int:pk>/history.xlsx", history.history_export, name="history_export"),
    # Results and appeals (reviews/views/appeals.py).
    path("assessments/<int:pk>/results/", appeals.results, name="results"),
    path("assessments/<int:pk>/appeal/", appeals.appeal_open, name="appeal_open"),
    path("appeals/<int:pk>/", appeals.appeal_answer, name="appeal_answer"),
    path("<int:year>/provinces/<str:province>/appeals/", appeals.appeal_list, name="appeal_list"),
]
