"""Every URL of the REST API under ``{base_url}experiments/api/`` and the handler serving it."""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from . import gitfs, handlers, query, views


def url_handlers(base_url: str) -> list[tuple[str, type]]:
    api = url_path_join(base_url, "experiments", "api")
    run = api + r"/runs/(?P<run_id>[^/]+)"
    validation = api + r"/validations/(?P<run_id>[^/]+)"
    git = api + "/git"
    return [
        (api + "/info", handlers.InfoHandler),
        (api + "/runs", handlers.RunsHandler),
        # Before runs/<run_id>, which would take "bulk", "groups" or "metrics" for a run id.
        (api + "/runs/bulk", handlers.RunsBulkHandler),
        (api + "/runs/groups", query.RunGroupsHandler),
        (api + "/runs/metrics", handlers.MetricsHandler),
        (run, handlers.RunHandler),
        # A metric key may hold slashes ("train/loss"): it is the rest of the path, URL-decoded.
        (run + r"/metrics/(?P<key>.+)", handlers.MetricHandler),
        (run + "/log", handlers.LogHandler),
        (run + "/restore", handlers.RunRestoreHandler),
        (run + r"/images/(?P<image_id>[^/]+)", handlers.ImageHandler),
        (api + "/keys", query.KeysHandler),
        (api + "/values", query.ValuesHandler),
        (api + "/views", views.ViewsHandler),
        # A view's name is any text (slashes too): the rest of the path, URL-decoded.
        (api + r"/views/(?P<name>.+)", views.ViewHandler),
        (api + "/validations", handlers.ValidationsHandler),
        (validation, handlers.ValidationHandler),
        (validation + "/cells", handlers.ValidationCellsHandler),
        (validation + "/junit", handlers.ValidationJunitHandler),
        (git + r"/objects/(?P<oid>[^/]+)", gitfs.ObjectHandler),
        # The whole ref name, slashes included; anything but refs/notebooks/<uuid> is refused.
        (git + r"/(?P<name>refs/.+)", gitfs.RefHandler),
        (git + "/missing", gitfs.MissingHandler),
        (git + "/objects", gitfs.ObjectsHandler),
        (git + "/batch", gitfs.BatchHandler),
        (git + r"/log/(?P<notebook_id>[^/]+)", gitfs.CheckpointLogHandler),
    ]
