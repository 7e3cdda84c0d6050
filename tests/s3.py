"""A real S3-compatible server for the tests: moto's server mode on 127.0.0.1.

One server per test process (pytest-xdist workers each start their own), a fresh private
bucket per test, and STORAGES pointed at it the way LPA_STORAGE=s3 configures production.
"""

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3

from tests.processes import free_port

ACCESS_KEY, SECRET_KEY, REGION = "lpa-test", "lpa-test-secret", "ap-southeast-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
        )

    def new_bucket(self) -> str:
        name = f"lpa-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def storages(self, bucket: str) -> dict[str, dict]:
        """The "evidence" and "exports" entries of settings.STORAGES for LPA_STORAGE=s3."""
        common = {
            "bucket_name": bucket,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "max_memory_size": 2 * 1024 * 1024,
        }
        backend = "storages.backends.s3.S3Storage"
        return {
            "evidence": {"BACKEND": backend, "OPTIONS": {**common, "location": "evidence"}},
            "exports": {"BACKEND": backend, "OPTIONS": {**common, "location": "exports"}},
        }


@contextmanager
def moto_server() -> Iterator[S3Server]:
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on port {port}") from None
                time.sleep(0.1)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
