"""One way to paginate public listings: a bad page number shows page 1, a page past the end is a 404."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404


def paginate(request, object_list, per_page: int) -> tuple[Paginator, Page]:
    paginator = Paginator(object_list, per_page)
    try:
        return paginator, paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator, paginator.page(1)
    except EmptyPage as exc:
        raise Http404 from exc
