from django.urls import path

from associations import views

app_name = "associations"

urlpatterns = [
    path("", views.my_space, name="mon_espace"),
    path("creer-mon-site/", views.association_signup, name="creer_site"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation"),
]
