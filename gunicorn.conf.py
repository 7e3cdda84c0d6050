"""gunicorn's settings for LPA, read by `gunicorn lpa.wsgi` from the project folder.

Every value can be set by an environment variable (docs/deployment.md); command-line flags
override them too.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are CPU-bound Django renders; two per core keeps the cores busy
# while one waits on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The slowest response served inline is a provincial PDF of some 330 organizations (a few
# seconds); the national reports are built by the worker. 60 s leaves room under load and
# still frees a worker stuck on something unexpected.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Restart each worker after about this many requests (spread by the jitter, so they do not
# restart together): memory that a long-running process gathers is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 100))
# The load balancers whose X-Forwarded-Proto/-For gunicorn believes (comma-separated; the
# same proxies LPA_TRUSTED_PROXIES counts for django-axes).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access lines to stdout beside the application's JSON lines, with the request id LPA returns.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# No control socket: nothing in the deployment uses gunicorn's control commands.
control_socket_disable = True
