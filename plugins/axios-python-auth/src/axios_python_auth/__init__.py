"""The auth plugin for axios_python: credentials on every attempt, one refresh for a burst of 401s.

```python
from axios_python import AuthPlugin

api.plugin(AuthPlugin(scheme="Bearer", token="super-secret-key"))
api.plugin(AuthPlugin(scheme="Bearer", token_provider=lambda: vault.get_secret("api-token")))
```

Hooks: `on_register` (trusts the client's `base_url` origin; adds the refresh middleware when
`refresh` is given) and `on_request` (attaches `Authorization`, last of all `on_request` hooks,
on every attempt). The logic lives in private modules: `_origins` (which hosts), `_credentials`
(tokens), `_refresh` (one refresh at a time) and `_middleware` (refresh on 401).
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

import axios_python
from axios_python import AxiosPythonError, ConfigError, PluginError

from ._credentials import (
    MARK,
    Credentials,
    basic_token,
    check_scheme,
    header_value,
    token_problem,
)
from ._middleware import RefreshMiddleware, suspended_error
from ._origins import HostPolicy
from ._refresh import RefreshCoordinator
from ._version import __version__

__all__ = [
    "AuthPlugin",
    "__version__",
]

TokenSource = Callable[[], "str | Awaitable[str | None] | None"]
_SERIAL = itertools.count(1)


class AuthPlugin(axios_python.Plugin):
    """Attaches `Authorization: <scheme> <token>` to requests for the client's own origin.

    Args:
        scheme: the auth scheme, `"Bearer"` by default; `""` sends the bare token.
        token: a static token. Exactly one of `token` and `token_provider` is required.
        token_provider: a callable, sync or async, returning the token (or None: no
            credentials for that attempt). Called on every attempt, so rotation is picked up.
        refresh: a callable, sync or async, called when a request that carried these
            credentials gets 401. It returns the new token, or None to consult
            `token_provider` again (with a static token, None means "give up": the 401
            stands). Concurrent 401s share one refresh; each request is then retried once.
        allowed_hosts: more hosts or origins that may receive the credentials, besides the
            client's `base_url` origin: `"https://api.example.com"`, `"api.example.com"`,
            `"api.example.com:8443"`, `"*.example.com"`.
        allow_any_host: send the credentials to every host. Off by default; an absolute URL to
            another host gets no credentials.

    Registered on a client without `base_url` and with no `allowed_hosts`, it attaches nothing
    (and warns). A request that already has an `Authorization` header or an `auth` option keeps
    it. The token never appears in `repr()`, in error messages or in logs.

    Several instances may serve one client (say, one per service): the first instance created
    is named `"auth"`, later ones `"auth-2"`, `"auth-3"`, ...; where their hosts overlap, the
    one registered first wins, since an `Authorization` header already on the request is never
    replaced.
    """

    name = "auth"

    def __init__(
        self,
        *,
        scheme: str = "Bearer",
        token: str | None = None,
        token_provider: TokenSource | None = None,
        refresh: TokenSource | None = None,
        allowed_hosts: Iterable[str] = (),
        allow_any_host: bool = False,
    ) -> None:
        problem = check_scheme(scheme)
        if problem is not None:
            raise ConfigError(f"AuthPlugin: {problem}", key="scheme")
        if (token is None) == (token_provider is None):
            raise ConfigError(
                "AuthPlugin needs exactly one of token= (a static token) and token_provider= "
                "(a callable returning the token)",
                key="token",
            )
        header: str | None = None
        if token is not None:
            problem = token_problem(token)
            if problem is not None:
                raise ConfigError(
                    f"AuthPlugin: token must be a non-empty str of printable ASCII characters, "
                    f"got {problem}",
                    key="token",
                )
            header = header_value(scheme, token)
        if token_provider is not None and not callable(token_provider):
            raise ConfigError("AuthPlugin: token_provider must be callable", key="token_provider")
        if refresh is not None and not callable(refresh):
            raise ConfigError("AuthPlugin: refresh must be callable", key="refresh")
        try:
            self._hosts = HostPolicy(allowed_hosts, allow_any=bool(allow_any_host))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"AuthPlugin: {exc}", key="allowed_hosts") from exc
        serial = next(_SERIAL)
        if serial > 1:  # a distinct name, so that several instances can serve one client
            vars(self)["name"] = f"auth-{serial}"
        self.scheme = scheme
        self._provider = token_provider
        self._refresh = refresh
        self._coordinator = RefreshCoordinator(Credentials(self.name, 0, header))

    @classmethod
    def basic(cls, username: str, password: str, **options: Any) -> AuthPlugin:
        """HTTP Basic credentials (RFC 7617): `AuthPlugin.basic("user", "pass")`."""
        if not isinstance(username, str) or not isinstance(password, str):
            raise ConfigError("AuthPlugin.basic: username and password must be str", key="token")
        if ":" in username:
            raise ConfigError("AuthPlugin.basic: a username cannot contain ':'", key="token")
        return cls(scheme="Basic", token=basic_token(username, password), **options)

    @property
    def refreshes(self) -> int:
        """How many token refreshes this plugin has started."""
        return self._coordinator.refreshes

    # --- hooks ---------------------------------------------------------------------------

    def on_register(self, client: Any) -> None:
        self._hosts.add_base_url(client.defaults.get("base_url"))
        if self._hosts.empty:
            warnings.warn(
                "AuthPlugin attaches credentials to no request: the client has no base_url and "
                "allowed_hosts is empty. Pass allowed_hosts=[...] (or allow_any_host=True).",
                UserWarning,
                stacklevel=2,
            )
        if self._refresh is not None:
            client.use(
                RefreshMiddleware(
                    self._coordinator,
                    self._refresh,
                    self.scheme,
                    has_provider=self._provider is not None,
                    plugin=self.name,
                )
            )

    @axios_python.hookimpl(trylast=True)
    def on_request(self, config: dict[str, Any]) -> Any:
        headers = config["headers"]
        if not isinstance(headers, httpx.Headers):  # an interceptor assigned a plain mapping
            headers = config["headers"] = httpx.Headers(headers)
        mark = config.get(MARK)  # (plugin name, generation) when an AuthPlugin attached its own
        # The host first: it is one dict lookup for a URL seen before, and most requests a
        # plugin does not serve end here. (Looking for an existing Authorization header is
        # slower, and for a host we do not serve the answer is the same: attach nothing.)
        if not self._hosts.allows(config):
            if mark is not None:
                self._take_back(config, mark)
            return None
        if (mark is None or mark[0] != self.name) and (
            "authorization" in headers or config.get("auth") is not None
        ):
            return None  # credentials already there win: the user's, or an earlier AuthPlugin's
        credentials = self._coordinator.credentials
        provider = self._provider
        if provider is None:
            assert credentials.header is not None  # a static token always has a header
            headers["Authorization"] = credentials.header
            config[MARK] = credentials.mark
            return None
        try:
            value = provider()
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise _provider_failed(exc, self.name) from exc
        if value is not None and type(value) is not str and inspect.isawaitable(value):
            return self._attach_awaited(config, value, credentials)
        self._attach(config, value, credentials)
        return None

    # --- helpers -------------------------------------------------------------------------

    async def _attach_awaited(
        self, config: dict[str, Any], pending: Awaitable[Any], credentials: Credentials
    ) -> None:
        try:
            value = await pending
        except AxiosPythonError:
            raise
        except Exception as exc:
            raise (
                suspended_error("token_provider", self.name, "on_request", exc)
                or _provider_failed(exc, self.name)
            ) from exc
        self._attach(config, value, credentials)

    def _attach(self, config: dict[str, Any], value: Any, credentials: Credentials) -> None:
        if value is None:
            self._take_back(config, config.get(MARK))
            return
        problem = token_problem(value)
        if problem is not None:
            raise PluginError(
                f"AuthPlugin: token_provider returned {problem}; it must return a non-empty str "
                "of printable ASCII characters, or None",
                plugin=self.name,
                hook="on_request",
            )
        header = header_value(self.scheme, value)
        if credentials.header is not None and header == credentials.rejected:
            header = credentials.header  # the provider still has the rejected token
        config["headers"]["Authorization"] = header
        config[MARK] = credentials.mark

    def _take_back(self, config: dict[str, Any], mark: Any) -> None:
        """Remove the credentials this plugin attached on an earlier pass over `config`.

        Never touches credentials someone else set: only when `mark` is this plugin's."""
        if mark is not None and mark[0] == self.name:
            config["headers"].pop("authorization", None)
            del config[MARK]

    def __repr__(self) -> str:
        source = "token_provider" if self._provider is not None else "token"
        refresh = ", refresh" if self._refresh is not None else ""
        return (
            f"<AuthPlugin scheme={self.scheme!r} {source}=<hidden>{refresh} hosts={self._hosts!r}>"
        )


def _provider_failed(exc: BaseException, plugin: str) -> PluginError:
    return PluginError(
        f"AuthPlugin: token_provider raised {type(exc).__name__}; see __cause__",
        plugin=plugin,
        hook="on_request",
    )
