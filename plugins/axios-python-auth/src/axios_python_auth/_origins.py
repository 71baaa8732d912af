"""Which requests may carry credentials: the core's `axios_python.HostPolicy` (the entry forms
of `allowed_hosts` are documented there), shared with the other plugins that send something to
trusted hosts only."""

from __future__ import annotations

from axios_python import HostPolicy

__all__ = ["HostPolicy", "Origin", "origin_of"]

Origin = tuple[str, str, int]
origin_of = HostPolicy.origin_of
