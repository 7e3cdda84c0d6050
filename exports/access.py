"""Who may have an export: the person who asked for it, while they may still read its report."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from exports.building import REPORTS, Report
from exports.models import Export


def report_for(kind: str) -> Report:
    """The registered report of `kind` (404 for a kind no installed app builds)."""
    try:
        return REPORTS[kind]
    except KeyError:
        raise Http404 from None


def get_export_for_user(user: User, pk: int) -> Export:
    """An export `user` asked for, while they may still read its report (404 otherwise: someone
    else's export, or a report their roles no longer reach)."""
    export = get_object_or_404(Export.objects.select_related("round", "province"), pk=pk, requested_by=user)
    report_for(export.kind).scope(user, export.round.year, export.province.code if export.province_id else None)
    return export
