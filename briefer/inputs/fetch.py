"""Fetch one web page without letting the page's server steer briefer into the local network.

A URL is text from outside (a user, a feed, a redirect), so every hop is checked the same way:
only http and https; the host resolved and *every* address it resolves to checked (loopback,
private, link-local and cloud metadata, CGNAT, multicast, reserved and their IPv6 forms are
refused unless the policy allows them); and the connection made to the checked address, so a
second DNS answer cannot swap in another one (DNS rebinding). Redirects are followed here, hop by
hop, never by httpx. The body is streamed under a size cap and the whole fetch under one deadline.

Pinning: each request goes to ``http(s)://<checked IP>:<port>/…`` with the real ``Host`` header
and, for https, httpx's ``sni_hostname`` request extension, which httpcore uses as the TLS
``server_hostname``: SNI and certificate checking are done against the real host name, while the
socket goes to the IP we checked. A fresh transport per hop keeps httpcore's pool (keyed by
scheme, IP and port) from reusing a TLS connection verified for one name for another name.
Environment proxies are not used (``trust_env=False``): through a proxy the address connected to
would be the proxy's choice, not the one checked here.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import httpx

from briefer.errors import FetchError

if TYPE_CHECKING:
    from briefer.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``(host, port) -> addresses``; the default calls ``socket.getaddrinfo``.
Resolver = Callable[[str, int], Sequence[IPAddress]]

try:
    _VERSION = version("briefer")
except PackageNotFoundError:  # a source tree that was never installed
    _VERSION = "0.0.0+unknown"
USER_AGENT = f"briefer/{_VERSION} (policy brief generator; fetches one page per article)"

MiB = 2**20
#: Media types an article may come as.
ARTICLE_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)
#: Media types of RSS / Atom feeds (for callers that read feeds).
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml"}
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Networks an intranet user may open with ``allow_private``: RFC 1918, CGNAT / shared address
# space (also Tailscale's), IPv6 unique-local and the deprecated site-local. Loopback and
# link-local (cloud metadata at 169.254.169.254) stay closed: they need ``allow_networks``.
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
        "fec0::/10",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetch. The defaults are those of a public-internet-only fetcher."""

    max_bytes: int = 10 * MiB
    timeout: float = 30.0  # seconds for the whole fetch: DNS, redirects, slow bodies
    read_timeout: float = 10.0  # seconds to wait for any one read
    connect_timeout: float = 10.0
    max_redirects: int = 5
    allow_private: bool = False
    allow_networks: tuple[IPNetwork, ...] = ()
    user_agent: str = USER_AGENT

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            max_bytes=settings.fetch_max_bytes,
            timeout=settings.fetch_timeout,
            read_timeout=settings.fetch_read_timeout,
            connect_timeout=min(settings.fetch_read_timeout, settings.fetch_timeout),
            max_redirects=settings.fetch_max_redirects,
            allow_private=settings.fetch_allow_private,
            allow_networks=tuple(settings.fetch_allow_networks),
        )


@dataclass(frozen=True)
class FetchedPage:
    """One fetched page. ``body`` is decoded from gzip/deflate but not from its charset."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # media type only, lower case: "text/html"
    charset: str | None  # as the server declared it, if it did
    body: bytes
    address: str  # the IP the final hop connected to
    redirects: tuple[str, ...] = field(default=())  # the URLs redirected from, in order


def refusal(ip: IPAddress, policy: FetchPolicy) -> str | None:
    """Why ``ip`` may not be fetched from under ``policy`` (e.g. "a private address"), or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1 on the wire
    # Never a server: 0.0.0.0 / :: reach this machine on Linux, multicast is not TCP.
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in net for net in policy.allow_networks):
        return None
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address (cloud metadata or LAN auto-configuration)"
    if any(ip in net for net in _PRIVATE):
        return None if policy.allow_private else "a private (intranet) address"
    if isinstance(ip, ipaddress.IPv6Address):
        # 6to4, Teredo and NAT64 addresses carry an IPv4 address that the packets end up at.
        inner = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None and (why := refusal(inner, policy)) is not None:
            return f"{why}, inside an IPv6 address"
        if inner is not None:
            return None
    if ip.is_reserved or ip.is_private or not ip.is_global:
        return "a reserved or special-purpose address"
    return None


def _hint(why: str) -> str:
    if why.startswith("a private"):
        return "briefer fetches public addresses only; for an intranet site set fetch_allow_private"
    if why.startswith(("the unspecified", "a multicast")):
        return "check the URL"
    return (
        "briefer fetches public addresses only; fetch_allow_networks can open a network you trust"
    )


def _short(url: object, limit: int = 120) -> str:
    text = " ".join(str(url).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(exc: BaseException) -> str:
    """The first line of an exception's text, short enough for a one-line message."""
    text = str(exc).strip().splitlines()
    return _short(text[0] if text else type(exc).__name__, 100)


class _Deadline:
    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; raises once none are."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(
            f"{_short(self.url)}: the fetch did not finish within {self.seconds:g} s "
            "(the server is too slow)",
            hint="try again later, raise fetch_timeout, or save the page and brief the file",
        )


def _getaddrinfo(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # sockaddr[0] may carry an IPv6 scope ("fe80::1%eth0"); ip_address keeps it.
    return [ipaddress.ip_address(str(info[4][0])) for info in infos]


def _resolve(host: str, port: int, resolver: Resolver, deadline: _Deadline) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]  # a literal address needs no lookup
    except ValueError:
        pass
    # getaddrinfo has no timeout of its own: run it in a daemon thread and stop waiting at the
    # deadline (the thread ends by itself when the resolver gives up).
    outcome: list[Sequence[IPAddress] | BaseException] = []

    def lookup() -> None:
        try:
            outcome.append(resolver(host, port))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name="briefer-dns", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if not outcome:
        raise deadline.error()
    result = outcome[0]
    if isinstance(result, BaseException):
        if isinstance(result, (OSError, UnicodeError)):
            raise FetchError(
                f"{_short(deadline.url)}: cannot resolve the host name {host!r} ({_why(result)})",
                hint="check the URL and your network (DNS)",
            ) from result
        raise result
    if not result:
        raise FetchError(
            f"{_short(deadline.url)}: the host name {host!r} has no address",
            hint="check the URL",
        )
    return list(dict.fromkeys(result))  # one try per address, in the resolver's order


def _check_url(url: httpx.URL, origin: str, hop: int) -> None:
    where = f"{_short(origin)}: " + (f"redirect {hop} to {_short(url)}: " if hop else "")
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(
            f"{where}only http and https URLs can be fetched",
            hint="check the URL" if not hop else "the site redirects to something not a web page",
        )
    if url.userinfo:
        raise FetchError(
            f"{where}URLs with a user name or password are not fetched",
            hint="save the page and brief the file",
        )


def _key(url: httpx.URL) -> str:
    """The URL as compared for loop detection: "http://x.org" and "http://x.org/" are one."""
    return str(url.copy_with(path=url.path or "/", fragment=None))


def _host_header(url: httpx.URL) -> str:
    host = url.raw_host.decode("ascii")  # IDNA-encoded, as a server expects it
    if ":" in host:
        host = f"[{host}]"
    return host if url.port is None else f"{host}:{url.port}"


def _media_type(value: str) -> tuple[str, str | None]:
    kind, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return kind.strip().lower(), charset


def _describe_type(kind: str) -> str:
    if kind == "application/pdf":
        return "a PDF document"
    for prefix, name in (("image/", "an image"), ("video/", "a video"), ("audio/", "audio")):
        if kind.startswith(prefix):
            return name
    return f"{kind!r}" if kind else "content of no stated type"


class _Body:
    """Collects a body under a byte cap, undoing gzip / deflate without ever exceeding it."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.raw = 0
        self.parts: list[bytes] = []
        self.size = 0
        # wbits 47 = 32 + 15: zlib reads a gzip or a zlib header by itself ("deflate" in HTTP is
        # zlib-wrapped).
        self.decoder = zlib.decompressobj(47) if encoding in ("gzip", "x-gzip", "deflate") else None

    def too_large(self) -> FetchError:
        size = f"{self.limit / MiB:g} MiB" if self.limit >= MiB else f"{self.limit} bytes"
        return FetchError(
            f"{_short(self.url)}: the page is larger than {size}; stopped reading there",
            hint="save the article's text to a .txt file and brief that, or raise fetch_max_bytes",
        )

    def add(self, chunk: bytes) -> None:
        self.raw += len(chunk)
        if self.raw > self.limit:
            raise self.too_large()
        if self.decoder is None:
            data = chunk
        elif self.decoder.eof:
            return  # bytes after the end of the compressed stream: ignored, never buffered
        else:
            try:
                # max_length: a small compressed chunk (a "zip bomb") never inflates past the cap.
                data = self.decoder.decompress(chunk, self.limit - self.size + 1)
            except zlib.error as exc:
                raise FetchError(
                    f"{_short(self.url)}: the compressed page is corrupt ({exc})",
                    hint="try again, or save the page and brief the file",
                ) from exc
        self._keep(data)

    def finish(self) -> bytes:
        if self.decoder is not None and not self.decoder.eof:
            self._keep(self.decoder.flush())  # a stream cut short: keep what it had
        return b"".join(self.parts)

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise self.too_large()
        self.parts.append(data)


def _status_error(url: str, response: httpx.Response) -> FetchError:
    code = response.status_code
    reason = response.reason_phrase or ""
    if code in (401, 403, 451):
        hint = "the site refuses the request: save the article's text to a .txt file and brief that"
    elif code == 429 or code >= 500:
        hint = "the server is busy or failing: try again later"
    else:
        hint = "check the URL, or save the page and brief the file"
    return FetchError(f"{_short(url)}: HTTP {code} {reason}".rstrip(), hint=hint)


class _Hop:
    """One request of a fetch, to one checked address."""

    def __init__(
        self, url: httpx.URL, ip: IPAddress, policy: FetchPolicy, deadline: _Deadline, accept: str
    ) -> None:
        left = deadline.left()
        self.read_timeout = policy.read_timeout
        # No phase may wait past the deadline. A plain dict: httpcore reads it at the start of
        # each phase (connect, send, headers, body), so the body's read timeout is cut to what
        # is left just before the body is read.
        self.timeouts: dict[str, float] = {
            "connect": min(policy.connect_timeout, left),
            "read": min(policy.read_timeout, left),
            "write": min(policy.read_timeout, left),
            "pool": min(policy.connect_timeout, left),
        }
        extensions: dict[str, Any] = {"timeout": self.timeouts}
        if url.scheme == "https":
            extensions["sni_hostname"] = url.raw_host.decode("ascii")
        self.request = httpx.Request(
            "GET",
            url.copy_with(host=str(ip), fragment=None),
            headers={
                "Host": _host_header(url),
                "User-Agent": policy.user_agent,
                "Accept": accept,
                # Only encodings _Body can inflate under the cap (no brotli / zstd).
                "Accept-Encoding": "gzip, deflate",
            },
            extensions=extensions,
        )

    def before_body(self, deadline: _Deadline) -> None:
        self.timeouts["read"] = min(self.read_timeout, deadline.left())


def _watchdog(response: httpx.Response, deadline: _Deadline) -> threading.Timer | None:
    """Cut the connection at the deadline, so one read cannot outlast it (a server that sends a
    byte now and then never trips a read timeout). None where there is no socket (mocks)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if not isinstance(sock, socket.socket):
        return None

    def cut() -> None:
        # socket.socket's own shutdown, also for TLS: SSLSocket.shutdown would drop its SSL
        # state under the reading thread. The blocked read then fails at once.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, deadline.end - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    return timer


def _transport_error(exc: httpx.TransportError, url: httpx.URL, origin: str) -> FetchError:
    host = url.host
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            f"{_short(origin)}: {host} did not answer in time ({type(exc).__name__})",
            hint="try again later, or raise fetch_read_timeout",
        )
    if isinstance(exc, httpx.ConnectError):
        return FetchError(
            f"{_short(origin)}: cannot fetch from {host}: no connection ({_why(exc)})",
            hint="check the URL and your network",
        )
    return FetchError(
        f"{_short(origin)}: {host} sent a broken response ({type(exc).__name__}: {_why(exc)})",
        hint="try again, or save the page and brief the file",
    )


def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    allowed_types: Iterable[str] = ARTICLE_TYPES,
    transport: httpx.BaseTransport | None = None,
    resolver: Resolver | None = None,
) -> FetchedPage:
    """GET ``url`` under ``policy``; any problem is a ``FetchError`` with a one-line message.

    ``allowed_types`` are the media types accepted (e.g. ``FEED_TYPES`` for feeds). ``transport``
    (used for every hop, and not closed) and ``resolver`` replace the network, for tests.
    """
    policy = policy or FetchPolicy()
    types = frozenset(t.lower() for t in allowed_types)
    resolve = resolver or _getaddrinfo
    accept = ", ".join(sorted(types)) + ", */*;q=0.1"
    deadline = _Deadline(policy.timeout, url)
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise FetchError(f"{_short(url)}: not a valid URL ({_why(exc)})", hint="check it") from exc
    current = current.copy_with(fragment=None)
    seen: list[str] = []
    for hop in range(policy.max_redirects + 1):
        _check_url(current, url, hop)
        seen.append(_key(current))
        port = current.port or (443 if current.scheme == "https" else 80)
        host = current.raw_host.decode("ascii")
        addresses = _resolve(host, port, resolve, deadline)
        # All addresses are checked before any connection: a name that also resolves to a
        # private address is refused outright (it may be rebinding between answers).
        for ip in addresses:
            if (why := refusal(ip, policy)) is not None:
                target = current.host if host == str(ip) else f"{current.host} ({ip})"
                where = f"redirect {hop} to {target}," if hop else f"{target} is"
                raise FetchError(f"{_short(url)}: refused: {where} {why}", hint=_hint(why))
        exchange = _send(current, addresses, policy, deadline, transport, url, accept)
        response = exchange.response
        try:
            if response.status_code in _REDIRECTS:
                following = _redirect_target(response, current, url)
                if _key(following) in seen:
                    raise FetchError(
                        f"{_short(url)}: redirect loop ({_short(following, 80)} again)",
                        hint="the site redirects in a circle: open it in a browser and save it",
                    )
                current = following
                continue
            if not 200 <= response.status_code < 300:
                raise _status_error(url, response)
            kind, charset = _media_type(response.headers.get("content-type", ""))
            _check_type(kind, types, url)
            return FetchedPage(
                url=url,
                final_url=str(current),
                status=response.status_code,
                content_type=kind,
                charset=charset,
                body=_read(exchange, current, url, policy, deadline),
                address=exchange.address,
                redirects=tuple(seen[:-1]),
            )
        finally:
            exchange.close()
    raise FetchError(
        f"{_short(url)}: more than {policy.max_redirects} redirects",
        hint="the site redirects too often: open it in a browser and save the page",
    )


def _redirect_target(response: httpx.Response, current: httpx.URL, origin: str) -> httpx.URL:
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(
            f"{_short(origin)}: HTTP {response.status_code} without a Location",
            hint="the site's redirect is broken: save the page and brief the file",
        )
    try:
        return current.join(location).copy_with(fragment=None)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(
            f"{_short(origin)}: redirect to an invalid URL ({_why(exc)})",
            hint="the site's redirect is broken: save the page and brief the file",
        ) from exc


def _check_type(kind: str, types: frozenset[str], origin: str) -> None:
    if kind in types:
        return
    article = types == ARTICLE_TYPES
    raise FetchError(
        f"{_short(origin)}: the server sent {_describe_type(kind)}, "
        + ("not a web page or text" if article else f"not one of {', '.join(sorted(types))}"),
        hint="save the article's text to a .txt file and brief that"
        if article
        else "check the URL",
    )


@dataclass
class _Exchange:
    """A response whose headers have arrived, and what to close after its body."""

    response: httpx.Response
    address: str
    hop: _Hop
    owned: httpx.BaseTransport | None  # the hop's own transport, closed with the response

    def close(self) -> None:
        self.response.close()
        if self.owned is not None:
            self.owned.close()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~0.2 s; one context serves every hop (verification on).
    return httpx.create_ssl_context()


def _send(
    url: httpx.URL,
    addresses: list[IPAddress],
    policy: FetchPolicy,
    deadline: _Deadline,
    transport: httpx.BaseTransport | None,
    origin: str,
    accept: str,
) -> _Exchange:
    """The response headers from the first address that accepts a connection."""
    failure: httpx.TransportError | None = None
    for ip in addresses:
        try:
            hop = _Hop(url, ip, policy, deadline, accept)
        except httpx.InvalidURL as exc:  # e.g. an IPv6 address with a zone ("fe80::1%eth0")
            raise FetchError(
                f"{_short(origin)}: cannot address {ip} ({_why(exc)})", hint="check the URL"
            ) from exc
        # A fresh transport per hop (see the module docstring): no pooled connection reused.
        owned = None
        if transport is None:
            owned = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False, retries=0)
        sender = transport or owned
        assert sender is not None
        try:
            response = sender.handle_request(hop.request)
        except httpx.TransportError as exc:
            if owned is not None:
                owned.close()
            if deadline.end <= time.monotonic():
                raise deadline.error() from exc
            if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
                failure = exc  # try the host's next address
                continue
            raise _transport_error(exc, url, origin) from exc
        except BaseException:
            if owned is not None:
                owned.close()
            raise
        response.request = hop.request
        return _Exchange(response, str(ip), hop, owned)
    assert failure is not None  # addresses is never empty
    raise _transport_error(failure, url, origin) from failure


def _read(
    exchange: _Exchange,
    hop_url: httpx.URL,
    origin: str,
    policy: FetchPolicy,
    deadline: _Deadline,
) -> bytes:
    """The body, streamed under the size cap and the deadline."""
    response = exchange.response
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchError(
            f"{_short(origin)}: the server sent the page in an unsupported encoding ({encoding})",
            hint="save the page and brief the file",
        )
    body = _Body(encoding, policy.max_bytes, origin)
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise body.too_large()  # said up front: not one byte of it is read
    exchange.hop.before_body(deadline)
    timer = _watchdog(response, deadline)
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    try:
        # The transport's stream itself, raw: httpx's own decoders would inflate without a cap.
        for chunk in stream:
            body.add(chunk)
            deadline.left()  # raises once the deadline has passed
        data = body.finish()
    except httpx.TransportError as exc:
        if deadline.end <= time.monotonic():
            raise deadline.error() from exc
        raise _transport_error(exc, hop_url, origin) from exc
    finally:
        if timer is not None:
            timer.cancel()
    # A body that ends with the connection looks complete when the watchdog cut it.
    if deadline.end <= time.monotonic():
        raise deadline.error()
    return data
