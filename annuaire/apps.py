from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnuaireConfig(AppConfig):
    name = "annuaire"
    verbose_name = _("Annuaire et réseau")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from django.db.models.signals import post_migrate

        from annuaire import receivers, tasks, tenancy

        receivers.connect()  # the actor follows the association (associations/events.py)
        tenancy.register()  # the directory's admin areas: animators and staff only
        # every `migrate` (deploy, `dev.py demo`) queues the weekly watch digest if none is waiting
        post_migrate.connect(tasks.watch_digest_after_migrate, sender=self, dispatch_uid="annuaire_watch_digest")
