"""Admin import of actors for the network's animators: upload, preview, confirm.

The uploaded file waits between the preview and the confirmation in the private storage
(never served by URL), under a random name kept in the animator's session with its SHA-256,
so the confirmation imports exactly the file that was previewed. The confirmation re-checks
every row and imports them in one transaction (annuaire.importer.import_content): one bad row
and nothing is written.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from annuaire import importer, selectors
from kernel.storage import private_storage

SESSION_KEY = "annuaire_import"
UPLOAD_DIR = "imports-annuaire"
ALLOWED_TYPES = {
    ".csv": {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream"},
    ".xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
        "application/zip",
    },
}


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=gettext_lazy("Fichier CSV ou Excel (.xlsx)"),
        help_text=gettext_lazy("2 Mo au plus. La première ligne donne les noms des colonnes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_TYPES:
            raise forms.ValidationError(_("Format non reconnu : donnez un fichier .csv ou .xlsx."))
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type and content_type not in ALLOWED_TYPES[suffix]:
            raise forms.ValidationError(
                _("Le type du fichier (%(type)s) ne correspond pas à son extension %(suffix)s.")
                % {"type": content_type, "suffix": suffix}
            )
        if upload.size > importer.MAX_BYTES:
            raise forms.ValidationError(_("Fichier trop lourd : 2 Mo au plus."))
        return upload


def _require_animator(request) -> None:
    if not selectors.user_is_animator(request.user):
        raise PermissionDenied


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        storage = private_storage()
        try:
            storage.delete(pending["name"])
        except OSError:
            pass


def _sweep_abandoned(max_age: timedelta = timedelta(days=1)) -> None:
    """Previews never confirmed nor cancelled: their files do not stay in the private storage."""
    storage = private_storage()
    try:
        _folders, names = storage.listdir(UPLOAD_DIR)
        for name in names:
            path_name = f"{UPLOAD_DIR}/{name}"
            if timezone.now() - storage.get_modified_time(path_name) > max_age:
                storage.delete(path_name)
    except (OSError, NotImplementedError):
        pass


def _pending_content(request) -> tuple[bytes, str] | None:
    """The previewed file, only if it is still the one whose digest the session holds."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    storage = private_storage()
    try:
        with storage.open(pending["name"], "rb") as handle:
            content = handle.read()
    except (OSError, FileNotFoundError):
        return None
    if hashlib.sha256(content).hexdigest() != pending["sha256"]:
        return None
    return content, pending["filename"]


def _render(request, form, *, report=None, filename="", notice="", status=200):
    rows = []
    if report is not None:
        rows = sorted(report.rows, key=lambda row: row["line"])
    return TemplateResponse(
        request,
        "annuaire/admin/import.html",
        {
            "form": form,
            "report": report,
            "rows": rows,
            "filename": filename,
            "notice": notice,
            "columns": importer.COLUMNS,
            "page_title": _("Importer des acteurs"),
        },
        status=status,
    )


def import_upload(request):
    """Step 1 and 2: the upload form; a valid upload answers with its preview."""
    _require_animator(request)
    if request.method != "POST":
        return _render(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    upload = form.cleaned_data["fichier"]
    content = upload.read()
    report = importer.check_content(content, upload.name)
    if report.unreadable:
        form.add_error("fichier", report.errors[0].reason)
        return _render(request, form, status=400)
    if report.errors:
        # Nothing to confirm: the animator fixes the file and sends it again.
        return _render(request, ImportForm(), report=report, filename=upload.name, status=400)
    _forget(request)
    _sweep_abandoned()
    suffix = Path(upload.name).suffix.lower()
    name = private_storage().save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(content))
    request.session[SESSION_KEY] = {
        "name": name,
        "filename": Path(upload.name).name[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return _render(request, ImportForm(), report=report, filename=upload.name)


def import_confirm(request):
    """Step 3: import the previewed file, all rows or none."""
    _require_animator(request)
    if request.method != "POST":
        return redirect("annuaire_import")
    if "annuler" in request.POST:
        _forget(request)
        messages.success(request, _("Import annulé : rien n'a été importé."))
        return redirect("annuaire_import")
    pending = _pending_content(request)
    if pending is None:
        _forget(request)
        notice = _("Le fichier à importer n'est plus disponible : envoyez-le de nouveau.")
        return _render(request, ImportForm(), notice=notice, status=400)
    content, filename = pending
    report = importer.import_content(content, filename)
    if report.errors:
        # The directory changed since the preview (a name, a label): nothing was written.
        _forget(request)
        return _render(request, ImportForm(), report=report, filename=filename, status=400)
    _forget(request)
    total = report.created + report.updated
    messages.success(
        request,
        ngettext(
            "%(count)s acteur importé (%(created)s créé, %(updated)s mis à jour).",
            "%(count)s acteurs importés (%(created)s créés, %(updated)s mis à jour).",
            total,
        )
        % {"count": total, "created": report.created, "updated": report.updated},
    )
    return redirect("wagtailsnippets_annuaire_actor:list")


def import_template(request):
    """An empty CSV with the expected columns, to start a spreadsheet from."""
    _require_animator(request)
    response = HttpResponse(";".join(importer.COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-import-acteurs.csv"'
    return response


@hooks.register("register_admin_urls")
def import_admin_urls():
    return [
        path("annuaire/import/", import_upload, name="annuaire_import"),
        path("annuaire/import/confirmer/", import_confirm, name="annuaire_import_confirm"),
        path("annuaire/import/modele.csv", import_template, name="annuaire_import_template"),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_is_animator(request.user)


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return ImportMenuItem(
        gettext_lazy("Importer des acteurs"), reverse("annuaire_import"), icon_name="upload", order=162, name="import"
    )
