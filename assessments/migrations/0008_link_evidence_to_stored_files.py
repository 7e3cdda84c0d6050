"""Existing evidence files become stored files, one per organization and SHA-256.

Batch-wise over the evidence not removed (removed evidence keeps its own file as before).
The SHA-256 each row recorded at upload, from its bytes, is the key. The first file of a
set of equal bytes becomes the stored one; the others point at it, and their own copies are
deleted after the migration commits, once their bytes are read and found equal (a copy that
cannot be read, or differs, is kept and left unlinked).
"""

import hashlib

from django.db import migrations, transaction

BATCH = 2000
CHUNK = 64 * 1024


def _digest(storage, name: str) -> str | None:
    try:
        with storage.open(name, "rb") as file:
            digest = hashlib.sha256()
            for chunk in iter(lambda: file.read(CHUNK), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return None


def forward(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    StoredFile = apps.get_model("assessments", "StoredFile")
    storage = Evidence._meta.get_field("file").storage
    stored: dict[tuple[int, str], tuple[int, str]] = {}  # (organization, sha256) → (stored pk, name)
    redundant: list[str] = []
    last = 0
    while True:
        rows = list(
            Evidence.objects.filter(pk__gt=last, deleted_at__isnull=True, stored__isnull=True)
            .exclude(file="")
            .order_by("pk")
            .values_list("pk", "answer__assessment__organization_id", "sha256", "file", "size", "content_type", "uploaded_at")[
                :BATCH
            ]
        )
        if not rows:
            break
        last = rows[-1][0]
        unknown = {(row[1], row[2]) for row in rows} - set(stored)
        if unknown:  # stored already (a run stopped half-way): use them
            existing = StoredFile.objects.filter(
                organization_id__in={o for o, _s in unknown}, sha256__in={s for _o, s in unknown}
            ).values_list("organization_id", "sha256", "pk", "file")
            stored.update({(o, s): (pk, name) for o, s, pk, name in existing if (o, s) in unknown})
        new = {}
        for _pk, organization, sha256, name, size, content_type, uploaded_at in rows:
            key = (organization, sha256)
            if key not in stored and key not in new:
                new[key] = StoredFile(
                    organization_id=organization,
                    sha256=sha256,
                    file=name,
                    size=size,
                    content_type=content_type,
                    created_at=uploaded_at,
                )
        StoredFile.objects.bulk_create(new.values())
        for key, row in new.items():
            if row.pk is None:  # backends that do not return ids from bulk_create
                row = StoredFile.objects.get(organization_id=key[0], sha256=key[1])
            stored[key] = (row.pk, row.file.name if hasattr(row.file, "name") else row.file)
        updates = []
        for pk, organization, sha256, name, _size, _content_type, _uploaded_at in rows:
            stored_pk, stored_name = stored[(organization, sha256)]
            if name != stored_name:
                if _digest(storage, name) != sha256:
                    continue  # not provably the same bytes: keep it as it was
                redundant.append(name)
            updates.append(Evidence(pk=pk, stored_id=stored_pk, file=stored_name))
        Evidence.objects.bulk_update(updates, ["stored", "file"], batch_size=BATCH)

    def delete_copies() -> None:
        for name in redundant:
            storage.delete(name)

    transaction.on_commit(delete_copies, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_add_stored_file"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
