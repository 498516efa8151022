"""One source of fake data for the tests and the demo (factory_boy + wagtail_factories)."""

from __future__ import annotations

import io

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils.text import slugify
from wagtail.images import get_image_model

from associations import services
from associations.models import Association, AssociationStatus, Commune, NewsPostPage
from site_kollektif.demo_images import picture_png

DEFAULT_PASSWORD = "Kollektif-demo-62"


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


def make_image(title: str, *, collection=None, width: int = 1200, height: int = 600):
    image_model = get_image_model()
    upload = ImageFile(io.BytesIO(picture_png(title, width=width, height=height)), name=f"{slugify(title) or 'image'}.png")
    extra = {"collection": collection} if collection else {}
    image = image_model(title=title, file=upload, **extra)
    image._set_image_file_metadata()
    image.save()
    return image


class NewsPostPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsPostPage

    title = factory.Sequence(lambda n: f"Actualité {n}")
    introduction = factory.Faker("sentence", nb_words=14, locale="fr_FR")


def signature_png(text: str = "Signature") -> bytes:
    """A small handwritten-looking signature image (demo and tests)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 80), (80, 30), (120, 90), (180, 40), (240, 85), (330, 50)], fill="black", width=4)
    draw.text((20, 95), text[:40], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_eligible(association, *, status: str = "interet-general", signatory: str = "Camille Lefebvre",
                  capacity: str = "Présidente", with_signature: bool = True, **fields):
    """Declares the association able to issue tax receipts (self-assessed general interest)."""
    from django.core.files.base import ContentFile

    association.tax_status = status
    association.tax_basis = fields.pop("tax_basis", "auto-evaluation")
    association.receipt_signatory_name = signatory
    association.receipt_signatory_capacity = capacity
    for name, value in fields.items():
        setattr(association, name, value)
    if with_signature:
        association.receipt_signature.save("signature.png", ContentFile(signature_png(signatory)), save=False)
    association.full_clean()
    association.save()
    return association
