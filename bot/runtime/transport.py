"""An httpx transport that sends requests through aiohttp.

Why: httpx's default async transport (httpcore) collapses under a few hundred concurrent requests
on a small machine (p99 7.4 s vs 0.6 s for aiohttp at 200 concurrent, 500 ms upstream; see
`bench/service_bench.py`). This keeps httpx's API for the rest of the code while aiohttp, which
discord.py and slack-bolt already bring, moves the bytes. Errors are mapped to httpx's own
exception types so callers see one vocabulary.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.cookiejar import Cookie, CookieJar

import aiohttp
import httpx
import yarl

# Outgoing connections: one per request in flight to a host (HTTP/1.1), so a pool smaller than
# the commands in flight queues them (at 1,000 in flight a 512 pool doubled the p99). Half the
# process's open-file limit, up to this cap; the other half is for Slack's requests and logs.
MAX_POOL = 2048
# Bodies up to this size with a Content-Length are read in one go: cheaper than streaming
# them through httpx's async iterators, which matters at hundreds of requests a second.
READ_AT_ONCE_LIMIT = 1024 * 1024
USER_AGENT = "TrendScout/0.1"


@contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Re-raise aiohttp and asyncio failures as the httpx exception that means the same."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except (aiohttp.ClientError, ConnectionError) as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int | None = None) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def session(self) -> aiohttp.ClientSession:
        """The shared aiohttp session itself, for the one hot path that skips httpx's models
        (the router client: see its module)."""
        return self._get_session()

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp binds a session to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections or pool_size(), limit_per_host=0, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, trust_env=False
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        try:
            body: bytes = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        headers = [
            (name, value)
            for name, value in request.headers.multi_items()
            if name.lower() not in ("transfer-encoding", "content-length")
        ]
        with _httpx_errors(request):
            response = await self._get_session().request(
                request.method,
                yarl.URL(str(request.url), encoded=True),  # httpx has encoded it already
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=self._client_timeout(timeout),
            )
        headers = list(response.raw_headers)
        extensions = {"http_version": b"HTTP/1.1"}
        length = response.content_length
        if length is not None and length <= READ_AT_ONCE_LIMIT:
            with _httpx_errors(request):
                try:
                    body = await response.read()
                finally:
                    response.release()
            return httpx.Response(
                response.status, headers=headers, content=body, extensions=extensions
            )
        return httpx.Response(
            status_code=response.status,
            headers=headers,
            stream=_ResponseStream(response, request),
            request=request,
            extensions=extensions,
        )

    def _client_timeout(self, timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = (timeout.get("pool"), timeout.get("connect"), timeout.get("read"))
        client_timeout = self._timeouts.get(key)
        if client_timeout is None:
            client_timeout = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
            self._timeouts[key] = client_timeout
        return client_timeout

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            # Let aiohttp's connector finish closing its sockets before the loop goes away.
            await asyncio.sleep(0)


def pool_size() -> int:
    """The connection pool for this process's open-file limit (read when the pool is made, after
    the runtime has raised the soft limit to the hard one)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_POOL
    return max(64, min(MAX_POOL, soft // 2))


class NoCookies(CookieJar):
    """A jar that keeps nothing. The bot talks to JSON APIs that authenticate with headers; a
    shared client must not carry one upstream's cookies into later calls. It also spares
    http.cookiejar's bookkeeping on every response (the httpx maintainers' suggested way to
    switch persistence off, encode/httpx#1359)."""

    def extract_cookies(self, response: object, request: object) -> None:
        return None

    def set_cookie(self, cookie: Cookie) -> None:
        return None


def http_client(
    transport: AiohttpTransport, timeout: float, headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    """An httpx client for one upstream over the process's one shared transport (connection
    pool). Each upstream gets its own client so that its credentials go to it alone.

    Close the transport, not the clients: closing a client would close the shared transport.
    """
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        cookies=NoCookies(),
    )
