from django.urls import path

from petitions import embeds, views

app_name = "petitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    # Before the petitions' own addresses: "start" is a reserved slug.
    path("start/", views.start, name="start"),
    path("start/petition/", views.start_form, name="start-form"),
    path("start/check-your-inbox/", views.start_check_inbox, name="start-check-inbox"),
    path("start/confirm/<str:token>/", views.start_confirm, name="start-confirm"),
    path("start/thank-you/", views.start_thanks, name="start-thanks"),
    path("start/edit/<str:token>/", views.start_edit, name="start-edit"),
    path("start/sent-again/", views.start_resubmitted, name="start-resubmitted"),
    path("<slug:slug>/", views.appeal, name="appeal"),
    path("<slug:slug>/supporters.json", views.counter, name="counter"),
    path("<slug:slug>/embed/", embeds.embed, name="embed"),
    path("<slug:slug>/badge.svg", embeds.badge, name="badge"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/new-link/", views.new_link, name="new-link"),
    path("<slug:slug>/new-link/sent/", views.new_link_sent, name="new-link-sent"),
    path("<slug:slug>/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("<slug:slug>/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/thank-you/", views.thanks, name="thanks"),
    path("<slug:slug>/updates/<int:number>/", views.update_page, name="update"),
    path("<slug:slug>/updates/feed/", views.updates_feed, name="updates-feed"),
]
