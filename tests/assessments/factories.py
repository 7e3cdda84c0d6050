"""Factories for rounds and frameworks. Build a small framework with `framework_with()`."""

import datetime
import io
import struct
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from assessments.models import Assessment, Category, Dimension, Indicator, IndicatorOption, Round
from organizations.models import Organization
from tests.factories import OrganizationFactory, user_with_role


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2600 + n)
    fiscal_year = factory.LazyAttribute(lambda r: r.year - 1)
    self_assessment_opens = factory.LazyAttribute(lambda r: datetime.date(r.year - 543, 1, 15))
    self_assessment_closes = factory.LazyAttribute(lambda r: datetime.date(r.year - 543, 3, 31))

    @factory.post_generation
    def bands(obj, create, extracted, **kwargs):
        if create:
            obj.add_default_bands()


class DimensionFactory(DjangoModelFactory):
    class Meta:
        model = Dimension

    round = factory.SubFactory(RoundFactory)
    number = 1
    name = factory.LazyAttribute(lambda d: f"ด้านที่ {d.number}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    dimension = factory.SubFactory(DimensionFactory)
    number = 1
    name = factory.LazyAttribute(lambda c: f"หมวด {c.number}")


class IndicatorFactory(DjangoModelFactory):
    """A levels indicator worth 0–5 unless `options` says otherwise.

    `options` is a list of points, or of (points, threshold) pairs for a figure.
    """

    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    round = factory.LazyAttribute(lambda i: i.category.dimension.round)
    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.LazyAttribute(lambda i: f"ตัวชี้วัด {i.code}")
    kind = Indicator.Kind.LEVELS
    applies_to = factory.LazyFunction(lambda: list(Organization.Type.values))

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [0, 1, 2, 3, 4, 5] if obj.kind == Indicator.Kind.LEVELS else [1, 1, 1]
        for position, item in enumerate(extracted, start=1):
            points, threshold = item if isinstance(item, tuple) else (item, None)
            IndicatorOption.objects.create(
                indicator=obj,
                position=position,
                label=f"ข้อ {position}",
                points=Decimal(points),
                threshold=None if threshold is None else Decimal(threshold),
            )


def framework_with(
    round: Round | None = None, *, dimensions: int = 1, open_last: bool = False
) -> tuple[Round, list[Category]]:
    """A round with `dimensions` dimensions of one category each; `open_last` opens the last
    category to provincial indicators."""
    round = round or RoundFactory()
    categories = []
    for number in range(1, dimensions + 1):
        dimension = DimensionFactory(round=round, number=number)
        categories.append(CategoryFactory(dimension=dimension, open_to_provinces=open_last and number == dimensions))
    return round, categories


# Self-assessment.


def open_round(*, opens_in_days: int = -30, closes_in_days: int = 30, **fields) -> Round:
    """A round in self-assessment whose window is around today (Bangkok), unless told otherwise."""

    today = timezone.localdate()
    fields = {
        "phase": Round.Phase.SELF_ASSESSMENT,
        "self_assessment_opens": today + datetime.timedelta(days=opens_in_days),
        "self_assessment_closes": today + datetime.timedelta(days=closes_in_days),
        **fields,
    }
    return RoundFactory(**fields)


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    round = factory.LazyFunction(open_round)
    organization = factory.SubFactory(OrganizationFactory)
    org_type = factory.LazyAttribute(lambda a: a.organization.type)


@dataclass
class SelfAssessment:
    """An open assessment of a Krabi อบต. with one category to add indicators to, its staff and head."""

    assessment: Assessment
    category: Category
    staff: User
    head: User

    @property
    def round(self) -> Round:
        return self.assessment.round

    @property
    def organization(self) -> Organization:
        return self.assessment.organization

    def indicator(self, **fields) -> Indicator:
        return IndicatorFactory(category=self.category, **fields)


def self_assessment(round: Round | None = None, **organization_fields) -> SelfAssessment:
    """A new organization's assessment in `round` (a new open round by default)."""
    round = round or open_round()
    category = Category.objects.filter(dimension__round=round).order_by("dimension__number", "number").first()
    if category is None:
        round, (category,) = framework_with(round)
    organization = OrganizationFactory(**organization_fields)
    assessment = AssessmentFactory(round=round, organization=organization)
    return SelfAssessment(
        assessment=assessment,
        category=category,
        staff=user_with_role(Role.Kind.ORG_STAFF, organization=organization),
        head=user_with_role(Role.Kind.ORG_HEAD, organization=organization),
    )


# Evidence files, built in memory: real headers and containers, no files shipped.


def pdf_bytes(text: str = "evidence") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"% {text}\n".encode()
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def image_bytes(format: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ทะเบียนคำร้อง", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = ([first] if first else []) + [name for name in entries if name != first]
        for name in names:
            # ODF keeps its "mimetype" entry uncompressed, so it can be read at a fixed place.
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, entries[name], compress_type=compression)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)


def docx_bytes(*, macros: bool = False) -> bytes:
    main = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macros
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    entries = {
        # Word puts this first; the check must not depend on it, so it goes last here.
        "word/document.xml": b"<w:document/>",
        "_rels/.rels": b"<Relationships/>",
        "[Content_Types].xml": CONTENT_TYPES.format(main=main).encode(),
    }
    if macros:
        entries["word/vbaProject.bin"] = b"\x00" * 64
    return zip_bytes(entries)


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return zip_bytes({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"}, first="mimetype")


def ole_bytes(*streams: str) -> bytes:
    """A minimal compound file (CFB v3, 512-byte sectors) holding 4 KB streams named `streams`.

    Legacy Word files have a "WordDocument" stream, Excel ones "Workbook"; installers (MSI)
    and other programs' files are compound files too, with other streams.
    """
    end, free, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    per_stream = 8  # 8 sectors = 4096 bytes: not below the cut-off, so no mini stream
    directory_sectors = -(-(len(streams) + 1) // 4)
    first_data = 1 + directory_sectors  # sector 0 is the FAT
    # (name, type, right sibling, child, start sector, size); type 5 root, 2 stream.
    entries = [("Root Entry", 5, none, 1 if streams else none, end, 0)]
    for index, name in enumerate(streams):
        right = index + 2 if index + 1 < len(streams) else none
        entries.append((name, 2, right, none, first_data + index * per_stream, 4096))
    fat = [0xFFFFFFFD]
    fat += [sector + 1 for sector in range(1, directory_sectors)] + [end]
    for index in range(len(streams)):
        start = first_data + index * per_stream
        fat += [start + i + 1 for i in range(per_stream - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = (
        OLE_MAGIC
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    directory = b""
    for name, kind, right, child, start, size in entries:
        encoded = (name + "\x00").encode("utf-16-le")
        directory += (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(encoded), kind, 1, none, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )
    empty = b"\x00" * 68 + struct.pack("<3I", none, none, none) + b"\x00" * 48
    directory += empty * (directory_sectors * 4 - len(entries))
    data = b"".join(name.encode().ljust(4096, b"\x00") for name in streams)
    return header + struct.pack("<128I", *fat) + directory + data


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ELF_HEADER = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 44
PE_HEADER = b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
