from django.urls import path

from cchc.feedback import public_views, views

urlpatterns = [
    # Back office (login).
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
    path("feedback/<int:feedback_id>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:feedback_id>/classify/", views.feedback_classify, name="feedback_classify"),
    path("feedback/<int:feedback_id>/assign/", views.feedback_assign, name="feedback_assign"),
    path(
        "feedback/<int:feedback_id>/request-info/",
        views.feedback_request_info,
        name="feedback_request_info",
    ),
    path("feedback/<int:feedback_id>/answer/", views.feedback_answer, name="feedback_answer"),
    path("feedback/<int:feedback_id>/approve/", views.feedback_approve, name="feedback_approve"),
    path("feedback/<int:feedback_id>/return/", views.feedback_return, name="feedback_return"),
    path("feedback/<int:feedback_id>/publish/", views.feedback_publish, name="feedback_publish"),
    path(
        "feedback/<int:feedback_id>/attachments/<int:attachment_id>/",
        views.feedback_attachment,
        name="feedback_attachment",
    ),
    # Citizens (no login).
    path("p/feedback/", public_views.feedback_track_lookup, name="feedback_track_lookup"),
    path("p/feedback/<str:tracking_code>/", public_views.feedback_track, name="feedback_track"),
    path(
        "p/feedback/<str:tracking_code>/reply/",
        public_views.feedback_track_reply,
        name="feedback_track_reply",
    ),
    path(
        "p/feedback/<str:tracking_code>/rate/",
        public_views.feedback_track_rate,
        name="feedback_track_rate",
    ),
    path(
        "p/<str:agency_code>/feedback/",
        public_views.feedback_public_list,
        name="feedback_public_list",
    ),
    path(
        "p/<str:agency_code>/feedback/new/",
        public_views.feedback_public_new,
        name="feedback_public_new",
    ),
    path(
        "p/<str:agency_code>/feedback/<str:public_id>/",
        public_views.feedback_public_detail,
        name="feedback_public_detail",
    ),
]
