from django.urls import path

from petitions import embeds, views

app_name = "petitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
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
