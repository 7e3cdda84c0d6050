"""Where finished export files live: the private storage settings.STORAGES names "exports".

On the local disk (the default) it is the folder settings.LPA_EXPORTS_ROOT, which the web
and the worker must share; with LPA_STORAGE=s3 the "exports/" prefix of a private bucket
(core.storage). The worker builds a file in a local temporary folder and then saves it here.
"""

from typing import TYPE_CHECKING

from core.storage import PrivateFileSystemStorage, StorageAlias

if TYPE_CHECKING:
    from exports.models import Export

ALIAS = "exports"


class ExportStorage(PrivateFileSystemStorage):
    """The local exports folder: LPA_EXPORTS_ROOT, with no URL."""

    def __init__(self, **kwargs):
        super().__init__(root_setting="LPA_EXPORTS_ROOT", default_folder="exports-files", **kwargs)


_storage = StorageAlias(ALIAS)


def export_storage() -> StorageAlias:
    """The storage of Export.file (a callable, so migrations do not freeze a backend)."""
    return _storage


def export_path(instance: "Export", filename: str) -> str:
    """<export id>-<file name>: one flat folder (or prefix), one file per export."""
    return f"{instance.pk}-{filename}"
