"""{% same_file_codes evidence answer as codes %}: the other indicators of the answer's
assessment that show the same file (assessments.evidence_files.same_file_codes, one query per
page whatever the number of pieces of evidence)."""

from django import template

from assessments.evidence_files import same_file_codes_for

register = template.Library()


@register.simple_tag(takes_context=True)
def same_file_codes(context: template.Context, evidence, answer) -> list[str]:
    if evidence is None or answer is None or not getattr(evidence, "sha256", "") or not answer.assessment_id:
        return []
    return same_file_codes_for(context.get("request"), answer.assessment_id).get(evidence.pk, [])
