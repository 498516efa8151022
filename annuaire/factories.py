"""Fake directory data for the tests, the demo and the benchmark (one source)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from annuaire import services
from annuaire.models import Actor, ActorKind, Meeting, MeetingKind
from associations.models import Commune


class ActorFactory(factory.Factory):
    """Builds through ``actor_create``: the same path as the admin, the import and proposals."""

    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Acteur numéro {n}")
    kind = ActorKind.AUTRE
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="62178"))
    latitude = factory.Sequence(lambda n: Decimal("50.48") + Decimal(n % 50) / 1000)
    longitude = factory.Sequence(lambda n: Decimal("2.55") + Decimal(n % 40) / 1000)
    description = factory.Faker("sentence", nb_words=12, locale="fr_FR")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.actor_create(**kwargs)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    kind = MeetingKind.PAROLES
    title = factory.Sequence(lambda n: f"Paroles de comptoir n° {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    theme = "Coopérer sur son territoire"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    place = "Café associatif"
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="62178"))
    summary = "Chacun a présenté son activité.\n\nNous avons parlé de mutualiser un local."
    leads = "Mutualiser un local\nMonter un atelier commun"
    contacts = "BookKafé — contact@bookkafe.example"

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)
