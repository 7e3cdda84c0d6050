"""Private file storages: evidence and export files, on the local disk or in an S3 bucket.

settings.STORAGES names one storage per kind of file ("evidence", "exports"). By default each
is a PrivateFileSystemStorage, a folder outside MEDIA_ROOT read from a setting on every use;
with LPA_STORAGE=s3 each is django-storages' S3Storage under its own key prefix of one
private bucket. Either way no file has a public address: a view checks who asks, then
streams the file (FileResponse over storage.open) or, for S3 with LPA_STORAGE_REDIRECT,
redirects to a presigned address that expires after LPA_STORAGE_URL_SECONDS.

A model's FileField keeps a StorageAlias, so the field follows STORAGES as configured (and as
a test overrides it) instead of the backend that happened to be set when models were loaded.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header

_aliases: list["StorageAlias"] = []


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder named by a setting (read on each use, so tests and deployments can point it
    elsewhere), with no URL: files leave it only through a permission-checked view."""

    def __init__(self, *, root_setting: str, default_folder: str, **kwargs):
        self.root_setting, self.default_folder = root_setting, default_folder
        super().__init__(**kwargs)

    # Plain properties instead of the parent's cached ones: the setting is read on each use.
    @property
    def base_location(self) -> str:
        return str(Path(getattr(settings, self.root_setting, settings.BASE_DIR / self.default_folder)))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("These files have no public URL: serve them through the permission-checked view.")


class StorageAlias(LazyObject):
    """The storage settings.STORAGES names `alias`, looked up when first used (and again after
    a test changes STORAGES). Give it to a FileField through a callable, so migrations record
    the callable and not a backend."""

    def __init__(self, alias: str):
        self.__dict__["alias"] = alias
        super().__init__()
        _aliases.append(self)

    def _setup(self) -> None:
        self._wrapped = storages[self.alias]


def is_s3(storage: Storage) -> bool:
    """Whether `storage` keeps its files in an S3 bucket (and can sign an address for one)."""
    if isinstance(storage, StorageAlias):
        storage = storages[storage.alias]
    return type(storage).__module__.startswith("storages.backends.s3")


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs) -> None:
    # Django resets its own storage handler on this signal (only tests change settings).
    if setting == "STORAGES":
        for alias in _aliases:
            alias._wrapped = empty


def download_response(storage: Storage, name: str, *, filename: str, content_type: str) -> HttpResponse:
    """`name` in `storage` as a download named `filename`, for a view that has checked access.

    Streamed through this process, or, for an S3 storage with LPA_STORAGE_REDIRECT on, a
    redirect to a presigned address valid for LPA_STORAGE_URL_SECONDS that makes the store
    answer with the same Content-Type and attachment Content-Disposition (RFC 5987 for Thai
    names). The redirect is not cached: the address is personal and short-lived.
    FileNotFoundError when the file is missing.
    """
    if getattr(settings, "LPA_STORAGE_REDIRECT", False) and is_s3(storage):
        if not storage.exists(name):
            raise FileNotFoundError(name)
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.LPA_STORAGE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        add_never_cache_headers(response)
        return response
    return FileResponse(storage.open(name, "rb"), as_attachment=True, filename=filename, content_type=content_type)
