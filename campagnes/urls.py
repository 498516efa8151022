from django.urls import path

from campagnes import views

app_name = "campagnes"

urlpatterns = [
    path("paiement/<str:token>/confirmer/", views.confirm_card, name="confirm_card"),
    path("paiement/<str:token>/verifier/", views.verify_payment, name="verify"),
    path("paiement/<str:token>/merci/", views.thanks, name="thanks"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
