"""One source of fake data for the tests and the demo (factory_boy + wagtail_factories)."""

from __future__ import annotations

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from associations import services
from associations.demo_data import DEFAULT_PASSWORD, make_eligible, make_image, signature_png  # noqa: F401 (re-exported)
from associations.models import Association, AssociationStatus, Commune, NewsPostPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"benevole{n}@exemple.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    @classmethod
    def _create(cls, model_class, *args, password: str = DEFAULT_PASSWORD, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """allauth requires a verified address before login; factories make it so."""
        if create:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


def _valid_rna(n: int) -> str:
    return f"W62{n % 10_000_000:07d}"


class AssociationFactory(factory.Factory):
    """Builds through ``association_onboard``: the same path as the admin and the signup form."""

    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Association numéro {n}")
    slug = ""
    objet = factory.Faker("paragraph", nb_sentences=2, locale="fr_FR")
    legal_form = "association"
    rna = factory.Sequence(_valid_rna)
    street_address = factory.Faker("street_address", locale="fr_FR")
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="62041"))
    postal_code = factory.LazyAttribute(lambda o: (o.commune.postal_codes or [""])[0])
    email = factory.Sequence(lambda n: f"contact{n}@asso.exemple.org")
    status = AssociationStatus.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault("notify", False)
        return services.association_onboard(**kwargs)


class NewsPostPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsPostPage

    title = factory.Sequence(lambda n: f"Actualité {n}")
    introduction = factory.Faker("sentence", nb_words=14, locale="fr_FR")
