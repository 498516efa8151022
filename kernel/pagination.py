"""One way to paginate public listings: a bad page number shows page 1, a page past the end is a 404."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest


def paginate(request: HttpRequest, object_list: Sequence | QuerySet, per_page: int) -> tuple[Paginator, Page]:
    paginator = Paginator(object_list, per_page)
    try:
        return paginator, paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator, paginator.page(1)
    except EmptyPage as exc:
        raise Http404 from exc
