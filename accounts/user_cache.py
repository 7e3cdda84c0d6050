"""The signed-in user and their roles from the shared cache: no database query per request.

Every signed-in request loads its user (AuthenticationMiddleware, through the backend's
`get_user`) and most read the user's roles (`User.scope`: navigation, access checks). With
LPA_USER_CACHE_SECONDS set (lpa/settings.py: on with REDIS_URL) the user is cached with the
scope already computed, so both come from the cache.

Correctness rests on invalidation, in every process at once (the cache is shared):

- each user has a *generation* key holding a random token; the cached entry is the pair
  (token, user) and counts only while the token is still the generation's. `forget_user`
  sets a new token once the change is committed; the next request of that user, on any app
  server, reloads from the database. A process that read the old row just before the commit
  and stores it just after stores it under the old token, which no longer counts; a token
  is never reused, so an evicted generation key cannot bring a stale entry back.
- a user saved or deleted, and a role created, changed or deleted, forgets the user
  (receivers connected in AccountsConfig.ready, as django.contrib.sites clears its cache of
  Site objects). Saving covers deactivation, a new password (the session's hash check keeps
  working: the cached user carries the current password hash) and the last-login stamp.
  Queryset `update()`/`bulk_create()` send no signals: code that changes users or roles in
  bulk must call `forget_user` itself (nothing does today).

Team membership is not part of the scope and is not cached here: reviews read it per request.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import User

logger = logging.getLogger(__name__)


def _keys(user_id: int) -> tuple[str, str]:
    return f"accounts:user-generation:{user_id}", f"accounts:user:{user_id}"


def enabled() -> bool:
    return settings.LPA_USER_CACHE_SECONDS > 0


def signed_in_user(user_id) -> User | None:
    """The user `user_id` (any status; the backend checks it), with `scope` computed."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not enabled():
        return User._default_manager.filter(pk=user_id).first()
    generation_key, user_key = _keys(user_id)
    try:
        found = cache.get_many([generation_key, user_key])
        token, entry = found.get(generation_key), found.get(user_key)
        if token is not None and entry is not None and entry[0] == token:
            return entry[1]
        if token is None:
            cache.add(generation_key, uuid.uuid4().hex, settings.LPA_USER_CACHE_SECONDS)
            token = cache.get(generation_key)
    except Exception:  # the cache is down: the database still answers (losing it loses only speed)
        logger.exception("user cache unavailable")
        return User._default_manager.filter(pk=user_id).first()
    user = User._default_manager.filter(pk=user_id).first()
    if user is not None and token is not None:
        user.scope  # noqa: B018 -- computed now, so the roles are cached with the user
        try:
            cache.set(user_key, (token, user), settings.LPA_USER_CACHE_SECONDS)
        except Exception:
            logger.exception("user cache unavailable")
    return user


def cached_entry(user_id: int) -> User | None:
    """The cached user, if a request would be served from the cache now (no database)."""
    generation_key, user_key = _keys(user_id)
    found = cache.get_many([generation_key, user_key])
    token, entry = found.get(generation_key), found.get(user_key)
    return entry[1] if token is not None and entry is not None and entry[0] == token else None


def forget_user(user_id: int) -> None:
    """Make every process load `user_id` from the database again, once the change is committed."""
    if not enabled():
        return
    generation_key, _user_key = _keys(user_id)

    def new_generation() -> None:
        try:
            cache.set(generation_key, uuid.uuid4().hex, settings.LPA_USER_CACHE_SECONDS)
        except Exception:
            # Not silent: an entry cached before may be served until LPA_USER_CACHE_SECONDS pass.
            logger.exception("user cache unavailable: user %s not invalidated", user_id)

    transaction.on_commit(new_generation)


def user_changed(sender, instance: User, **kwargs) -> None:
    if instance.pk is not None:
        forget_user(instance.pk)


def role_changed(sender, instance, **kwargs) -> None:
    if instance.user_id is not None:
        forget_user(instance.user_id)
