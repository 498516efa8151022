from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from associations import urls as association_urls
from kernel import serving
from site_kollektif.downloads import serve_document, serve_media
from site_kollektif.health import health

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Before Wagtail's own pattern: the same view and URL name, served as a sandboxed download.
    path("documents/<int:document_id>/<str:document_filename>", serve_document, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("comptes/", include("allauth.urls")),
    path("espace/", include(association_urls)),
    path("", include("campagnes.urls")),
    path("", include("annuaire.urls")),
    path("sitemap.xml", sitemap),
    path("sante/", health, name="health"),
    # Browsers and crawlers ask for /favicon.ico whatever the page says (base.html links the SVG).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("site_kollektif/img/favicon.ico"), permanent=True)),
]

# Public media of the demo, the tests and a single machine without object storage (with S3 they
# come from the bucket's own domain): uploaded files, sandboxed (site_kollektif/downloads.py).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media)]

# Wagtail's own patterns, its page view replaced by kernel.serving.serve under the same name
# (`wagtail_serve`, which page URLs are reversed from): the same answers in fewer queries.
_wagtail_serve = next(pattern for pattern in wagtail_urls.urlpatterns if pattern.name == "wagtail_serve")
urlpatterns += [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern is not _wagtail_serve),
    re_path(_wagtail_serve.pattern.regex.pattern, serving.serve, name="wagtail_serve"),
]
