"""The guides: an index, one page per role, and its PDF. Any signed-in user may read any guide."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pdf import PDF_CONTENT_TYPE
from guide.guides import GUIDES, get_guide, guides_for
from guide.printing import guide_context, render_guide_pdf


@login_required
def index(request: HttpRequest) -> HttpResponse:
    mine = guides_for(request.user)
    others = [guide for guide in GUIDES.values() if guide not in mine]
    return render(request, "guide/index.html", {"mine": mine, "others": others})


@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide(slug)
    context = guide_context(guide)
    context["guides"] = list(GUIDES.values())
    return render(request, "guide/guide_detail.html", context)


@login_required
def pdf(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide(slug)
    response = HttpResponse(render_guide_pdf(guide), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="lpa-guide-{guide.slug}.pdf"'
    return response
