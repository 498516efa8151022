from django.urls import path

from campagnes import embed_views, mailing_views, views
from campagnes.progress_feed import progress_feed
from campagnes.receipts import views as receipt_views

app_name = "campagnes"

urlpatterns = [
    path("paiement/<str:token>/confirmer/", views.confirm_card, name="confirm_card"),
    path("paiement/<str:token>/refus/", views.card_declined, name="card_declined"),
    path("paiement/<str:token>/verifier/", views.verify_payment, name="verify"),
    path("paiement/<str:token>/merci/", views.thanks, name="thanks"),
    path("don-mensuel/<str:token>/", views.monthly_manage, name="monthly_manage"),
    path("don-mensuel/<str:token>/carte/", views.monthly_card, name="monthly_card"),
    path("progression/<slug:slug>/", progress_feed, name="progress_feed"),
    path("desabonnement/<str:token>/", mailing_views.unsubscribe, name="unsubscribe"),
    path("emails/rebonds/", mailing_views.bounce_webhook, name="bounce_webhook"),
    # a campaign in another site's iframe (campagnes/embed.py): the only framable views
    path("integrer/integration.js", embed_views.script, name="embed_script"),
    path("integrer/<int:page_id>/", embed_views.campaign, name="embed"),
    path("integrer/paiement/<str:token>/confirmer/", embed_views.confirm, name="embed_confirm"),
    path("integrer/paiement/<str:token>/refus/", embed_views.declined, name="embed_declined"),
    path("integrer/paiement/<str:token>/verifier/", embed_views.verify, name="embed_verify"),
    path("integrer/paiement/<str:token>/merci/", embed_views.thanks, name="embed_thanks"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("mes-recus/", receipt_views.my_receipts, name="my_receipts"),
    path("mes-recus/liste/", receipt_views.my_receipts_list, name="my_receipts_list"),
    path("mes-recus/mes-donnees/", receipt_views.my_data_export, name="my_data_export"),
    path("mes-recus/effacer-mes-donnees/", receipt_views.my_data_erase, name="my_data_erase"),
    path("mes-recus/fermer/", receipt_views.my_receipts_close, name="my_receipts_close"),
    path("mes-recus/recu/<uuid:uuid>/", receipt_views.my_receipt_download, name="my_receipt_download"),
    path("mes-recus/<str:token>/", receipt_views.my_receipts_open, name="my_receipts_open"),
]
