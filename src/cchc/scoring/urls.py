from django.urls import path

from cchc.scoring import views

urlpatterns = [
    path("index/", views.assessment_list, name="assessment_list"),
    path("index/open/", views.assessment_open, name="assessment_open"),
    path("index/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("index/<int:assessment_id>/submit/", views.assessment_submit, name="assessment_submit"),
    path("index/<int:assessment_id>/refresh/", views.assessment_refresh, name="assessment_refresh"),
    path(
        "index/<int:assessment_id>/appraisal/close/",
        views.appraisal_close,
        name="assessment_appraisal_close",
    ),
    path(
        "index/<int:assessment_id>/explanations/submit/",
        views.explanations_submit,
        name="assessment_explanations_submit",
    ),
    path(
        "index/<int:assessment_id>/finalize/",
        views.assessment_finalize,
        name="assessment_finalize",
    ),
    path("index/items/<int:item_id>/", views.item_detail, name="assessment_item_detail"),
    path("index/items/<int:item_id>/assign/", views.item_assign, name="assessment_item_assign"),
    path("index/items/<int:item_id>/propose/", views.item_propose, name="assessment_item_propose"),
    path(
        "index/items/<int:item_id>/evidence/",
        views.item_evidence_add,
        name="assessment_item_evidence",
    ),
    path(
        "index/items/<int:item_id>/appraisal/",
        views.item_appraise,
        name="assessment_item_appraise",
    ),
    path(
        "index/items/<int:item_id>/explanation/",
        views.item_explain,
        name="assessment_item_explain",
    ),
    path("index/items/<int:item_id>/final/", views.item_final, name="assessment_item_final"),
    path(
        "index/evidence/<int:evidence_id>/download/",
        views.evidence_download,
        name="assessment_evidence_download",
    ),
    path(
        "index/evidence/<int:evidence_id>/remove/",
        views.evidence_remove,
        name="assessment_evidence_remove",
    ),
]
