"""The address of the person signing in, as django-axes counts failed logins by it.

With LPA_TRUSTED_PROXIES = 0 the app faces the clients and the connection's address is theirs.
Behind N proxies (a load balancer is 1), each appends the address that connected to it to
X-Forwarded-For, so the client is the N-th entry from the right; anything further left was
written by the client itself and is not believed. A header shorter than that, or an entry
that is not an IP address, falls back to the connection's address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.LPA_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < trusted:
        return remote
    candidate = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
