"""The staff's "E-mails" admin: every e-mail the platform sent or tried to send, failures first
in view (filter by state), with the error, the attempts, and a "Renvoyer" button.

Staff only: the outbox holds every association's recipients.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from associations.selectors import user_is_platform_staff
from kernel.mail import email_retry
from kernel.models import EmailStatus, OutgoingEmail


class StaffOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return user_is_platform_staff(user) and action in {"view", "change"}

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class OutgoingEmailIndexView(IndexView):
    page_title = gettext_lazy("E-mails")
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return OutgoingEmail.objects.defer("text", "html", "attachments")

    @property
    def columns(self):
        return [
            Column("created_at", label=_("Créé le"), sort_key="created_at"),
            TitleColumn("subject", label=_("Objet"), get_url=lambda e: reverse("emails:inspect", args=[e.pk])),
            Column("to", label=_("Destinataires"), accessor=lambda e: ", ".join(e.to)),
            StatusTagColumn(
                "status",
                label=_("État"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda e: e.status == EmailStatus.SENT,
            ),
            Column("attempts", label=_("Essais")),
            Column("last_error", label=_("Dernière erreur")),
        ]


class OutgoingEmailInspectView(InspectView):
    template_name = "site_kollektif/admin/email_inspect.html"
    fields = ["created_at", "template", "subject", "to", "status", "attempts", "last_error", "sent_at"]

    def get_fields(self):
        return self.fields

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_retry"] = self.object.status != EmailStatus.SENT
        context["retry_url"] = reverse("emails:retry", args=[self.object.pk])
        return context


@require_POST
def retry_view(request, pk: int):
    if not StaffOnlyPolicy(OutgoingEmail).user_has_permission(request.user, "change"):
        raise PermissionDenied
    email = get_object_or_404(OutgoingEmail, pk=pk)
    outcome = email_retry(email_id=email.pk)
    email.refresh_from_db()
    if email.status == EmailStatus.SENT:
        messages.success(request, _("E-mail « %(subject)s » envoyé.") % {"subject": email.subject})
    else:
        messages.error(
            request,
            _("L'envoi a encore échoué (%(outcome)s) : %(error)s") % {"outcome": outcome, "error": email.last_error},
        )
    return redirect(reverse("emails:inspect", args=[email.pk]))


class OutgoingEmailViewSet(ModelViewSet):
    model = OutgoingEmail
    name = "emails"
    icon = "mail"
    menu_label = gettext_lazy("E-mails")
    menu_order = 950
    add_to_admin_menu = True
    add_to_reference_index = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["status"]
    list_per_page = 50
    index_view_class = OutgoingEmailIndexView
    inspect_view_class = OutgoingEmailInspectView
    exclude_form_fields = []

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/renvoyer/", retry_view, name="retry"),
        ]


register_permission_policy(OutgoingEmail, StaffOnlyPolicy(OutgoingEmail))
outgoing_email_viewset = OutgoingEmailViewSet()
