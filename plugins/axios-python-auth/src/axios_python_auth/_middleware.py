"""Refresh on 401: a middleware that refreshes the token once and retries the request once.

It wraps the retry loop (and so every attempt's `on_request`). When the outcome is a 401 (a
`Response`, or an `HTTPStatusError` when `validate_status` rejects it) and the rejected attempt
carried this plugin's credentials, it asks the `RefreshCoordinator` what to do (see
`_refresh`), closes the 401 response and calls `next_fn(ctx)` once more; `on_request` then
attaches the current credentials. The outcome of that second call stands, whatever it is.

Concurrent 401s share one refresh through the coordinator's `axios_python.SingleFlight`: sync
calls block their thread, async calls await, as `axios_python.is_async_call()` says.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

import axios_python
from axios_python import HTTPStatusError, PluginError, Response, WouldDeadlock

from ._credentials import MARK, Credentials, header_value, token_problem
from ._refresh import RefreshCoordinator

__all__ = ["RefreshMiddleware", "suspended_error"]

logger = logging.getLogger("axios_python.auth")


def suspended_error(what: str, plugin: str, hook: str, exc: BaseException) -> PluginError | None:
    """The clear error for an async callable that awaited asyncio I/O during a sync call."""
    if not axios_python.needs_event_loop(exc):
        return None
    return PluginError(
        f"AuthPlugin: the async {what} awaited asyncio I/O during a sync call, which runs "
        "without an event loop. Use the async_ methods, or give a sync callable.",
        plugin=plugin,
        hook=hook,
    )


class RefreshMiddleware:
    """`async def (ctx, next_fn)`: one refresh and one retry for a 401 to our credentials."""

    def __init__(
        self,
        coordinator: RefreshCoordinator,
        refresh: Callable[[], Any],
        scheme: str,
        *,
        has_provider: bool,
        plugin: str = "auth",
    ) -> None:
        self.coordinator = coordinator
        self.refresh = refresh
        self.scheme = scheme
        self.has_provider = has_provider
        self.plugin = plugin

    async def __call__(self, ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]) -> Any:
        try:
            response = await next_fn(ctx)
        except HTTPStatusError as exc:
            rejected = exc.response
            if rejected.status_code != 401:
                raise
            generation = _generation(rejected, exc.config, self.plugin)
            if generation is None or not await self._settle(rejected, generation):
                raise
            return await next_fn(ctx)
        if response.status_code != 401:
            return response
        generation = _generation(response, response.config, self.plugin)
        if generation is None or not await self._settle(response, generation):
            return response
        return await next_fn(ctx)

    async def _settle(self, rejected: Response, generation: int) -> bool:
        """Refresh (or share a refresh) for a 401; True to retry. Closes `rejected` if so."""
        try:
            retry = await self._decide(rejected, generation)
        except BaseException:
            await _close(rejected)
            raise
        if retry:
            await _close(rejected)
        return retry

    async def _decide(self, rejected: Response, generation: int) -> bool:
        async def refresh() -> Credentials | None:
            return await self._refresh(rejected, generation)

        try:
            return await self.coordinator.settle(generation, refresh)
        except WouldDeadlock:
            raise PluginError(
                "AuthPlugin: a sync call made inside the event loop that is refreshing the token "
                "cannot wait for that refresh without blocking the loop forever. Use the async_ "
                "methods in async code.",
                plugin=self.plugin,
                hook="refresh",
            ) from None
        except Exception as exc:  # the refresh failed: for its leader and all who shared it
            suspended = suspended_error("refresh callable", self.plugin, "refresh", exc)
            raise (suspended or _refresh_failed(exc, self.plugin)) from exc

    async def _refresh(self, rejected: Response, generation: int) -> Credentials | None:
        """The leader's refresh: new credentials, or None to keep the 401."""
        logger.debug("401 with credentials generation %d: refreshing the token", generation)
        value = self.refresh()
        if inspect.isawaitable(value):
            value = await value
        credentials = self._next_credentials(value, rejected, generation)
        if credentials is not None:
            logger.debug("token refreshed: credentials generation %d", credentials.generation)
        else:
            logger.debug("refresh returned None and there is no token_provider: keeping the 401")
        return credentials

    def _next_credentials(
        self, value: Any, rejected: Response, generation: int
    ) -> Credentials | None:
        if value is None:
            if not self.has_provider:  # nothing else to consult: the 401 stands
                return None
            return Credentials(self.plugin, generation + 1, None)
        problem = token_problem(value)
        if problem is not None:
            raise _InvalidToken(f"the refresh callable returned {problem}")
        header = header_value(self.scheme, value)
        sent = _final_authorization(rejected)
        return Credentials(self.plugin, generation + 1, header, sent if self.has_provider else None)


class _InvalidToken(ValueError):
    """A refresh callable returned something that is not a usable token."""


def _final_authorization(response: Response) -> str | None:
    """The Authorization header of the request that got `response` (after any redirects)."""
    try:
        final: Any = response.raw.request
    except RuntimeError:  # an httpx.Response built without its request
        final = response.request
    return None if final is None else final.headers.get("authorization")


def _generation(response: Response, config: dict[str, Any] | None, plugin: str) -> int | None:
    """The credentials generation the rejected attempt carried, if it carried ours.

    None when the request that got the 401 carried no Authorization: a redirect to another
    origin, where httpx drops the header, is not a rejection of our token.
    """
    if _final_authorization(response) is None:
        return None
    for source in (config, getattr(response.request, "config", None), response.config):
        if source:
            mark = source.get(MARK)
            if mark is not None:
                owner, generation = mark
                return int(generation) if owner == plugin else None
    return None


def _refresh_failed(error: BaseException, plugin: str) -> PluginError:
    kind = type(error).__name__
    detail = f" ({error})" if isinstance(error, _InvalidToken) else "; see __cause__"
    failed = PluginError(
        f"AuthPlugin: the token refresh failed with {kind}{detail}",
        plugin=plugin,
        hook="refresh",
    )
    failed.__cause__ = error
    return failed


async def _close(response: Response) -> None:
    if axios_python.is_async_call():
        await response.aclose()
    else:
        response.close()
