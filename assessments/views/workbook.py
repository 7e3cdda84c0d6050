"""The framework workbook on the web: export any round, import into a round in set-up.

Both only wrap assessments.workbook (the same builder and importer as the commands).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments.access import get_round_for_user
from assessments.forms import WorkbookUploadForm, add_errors
from assessments.workbook import WorkbookErrors, build_framework_workbook, import_framework_workbook
from core.spreadsheets import XLSX_CONTENT_TYPE


@login_required
def framework_export(request: HttpRequest, year: int) -> HttpResponse:
    """The round's framework as lpa-framework-<year>.xlsx, in any phase (the department's)."""
    assessment_round = get_round_for_user(request.user, year, write=True)
    buffer = io.BytesIO()
    build_framework_workbook(assessment_round).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="lpa-framework-{assessment_round.year}.xlsx"'
    return response


@login_required
def framework_import(request: HttpRequest, year: int) -> HttpResponse:
    """Replace the framework of a round in set-up with a workbook's; all or nothing."""
    assessment_round = get_round_for_user(request.user, year, write=True)
    posted = request.method == "POST"
    form = WorkbookUploadForm(request.POST if posted else None, request.FILES if posted else None)
    workbook_errors = None
    if posted and form.is_valid():
        try:
            import_framework_workbook(form.cleaned_data["file"], by=request.user, year=assessment_round.year)
        except WorkbookErrors as errors:
            workbook_errors = errors.errors
            form.add_error(
                "file",
                _("พบปัญหาในไฟล์ %(n)s รายการ ไม่ได้นำเข้าอะไรเลย แก้ไขไฟล์ตามตารางด้านล่างแล้วนำเข้าอีกครั้ง") % {"n": len(errors)},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("นำเข้ากรอบการประเมินปี %(year)s จากไฟล์แล้ว") % {"year": assessment_round.year})
            return redirect(assessment_round)
    return render(
        request, "assessments/framework_import.html", {"round": assessment_round, "form": form, "workbook_errors": workbook_errors}
    )
