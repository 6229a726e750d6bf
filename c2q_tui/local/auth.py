"""HTTP Digest (RFC 7616: MD5 or MD5-sess, qop="auth") and Basic authentication against the key pairs.

Digest details (not documented for the real service, reference §1):
- Nonces are issued by this server with every 401 and live `nonce_ttl` seconds. A correct answer with
  an expired or unknown nonce (e.g. issued before a restart) gets a new challenge with `stale=true`, so
  clients retry without asking for the password again. httpx retries any Digest 401 once.
- Each (nonce, nc) is accepted once. httpx shares one nc counter across concurrent requests, so they
  can arrive out of order (..., 185, 191, 190): an nc below the highest seen is accepted if it is within
  `NC_WINDOW` of it and was never used. Replaying an nc is refused.
- The `uri` parameter must name the request target (path and query) of the request it signs.

Role enforcement lives with the routes; an expired key is refused here with code 49900002.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from c2q_tui.local.envelopes import EXPIRED_KEY_CODE
from c2q_tui.local.settings import KeySpec

REALM = "c2q-local"
NC_WINDOW = 256
MAX_NONCES = 10_000
# a quoted value is written as an unrolled loop (runs of plain characters between escapes): the same
# language as `(?:[^"\\]|\\.)*`, but about a third faster, and every request parses one header
_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s,]*))')
_ESCAPED = re.compile(r"\\(.)")


class AuthFailed(Exception):
    def __init__(self, message: str = "auth failed", *, code: int = 401, stale: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.stale = stale


@dataclass
class _Nonce:
    expires_at: float
    max_nc: int = 0
    seen: set[int] = field(default_factory=set)

    def use(self, nc: int) -> bool:
        """Record one use of this nonce count; False if it was used already or is too old."""
        if nc in self.seen or nc <= self.max_nc - NC_WINDOW or nc < 1:
            return False
        self.seen.add(nc)
        if nc > self.max_nc:
            self.max_nc = nc
            # counts at or below max_nc - NC_WINDOW are refused above whatever `seen` holds, so they
            # can be dropped lazily: rebuilding the set on every new maximum cost ~10 us per request
            if len(self.seen) > 2 * NC_WINDOW:
                floor = nc - NC_WINDOW
                self.seen = {n for n in self.seen if n > floor}
        return True


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def parse_digest(header: str) -> dict[str, str]:
    """The parameters of a `Digest k=v, k="v"` header (keys lower-cased)."""
    params: dict[str, str] = {}
    for name, quoted, bare in _PARAM.findall(header):
        # findall gives "" for the group that did not take part, so `quoted or bare` is the one that did
        if quoted and "\\" in quoted:  # unescape only when needed: re.sub per value is not free
            quoted = _ESCAPED.sub(r"\1", quoted)
        params[name.lower()] = quoted or bare
    return params


def _same_target(signed: str, target: str) -> bool:
    if signed == target:
        return True
    if "://" in signed:  # absolute-form URI: compare its path and query
        parts = urlsplit(signed)
        signed = parts.path + (f"?{parts.query}" if parts.query else "")
    return unquote(signed) == unquote(target)


class Authenticator:
    def __init__(
        self,
        keys: Sequence[KeySpec],
        *,
        realm: str = REALM,
        nonce_ttl: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = {k.public_key: k for k in keys}
        self.realm = realm
        self.nonce_ttl = nonce_ttl
        self.clock = clock
        self.opaque = secrets.token_hex(16)
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()
        self._ha1s: dict[str, tuple[KeySpec, str]] = {}

    def _ha1(self, key: KeySpec) -> str:
        """MD5(public:realm:private), the same for every request of a key: hashed once per key."""
        cached = self._ha1s.get(key.public_key)
        if cached is None or cached[0] is not key:  # a replaced key (or secret) hashes afresh
            cached = (key, _md5(f"{key.public_key}:{self.realm}:{key.private_key.get_secret_value()}"))
            self._ha1s[key.public_key] = cached
        return cached[1]

    def challenge(self, *, stale: bool = False) -> str:
        """A `WWW-Authenticate` value with a fresh nonce."""
        now = self.clock()
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = _Nonce(expires_at=now + self.nonce_ttl)
        self._prune(now)
        value = (
            f'Digest realm="{self.realm}", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="{self.opaque}"'
        )
        return value + (", stale=true" if stale else "")

    def _prune(self, now: float) -> None:
        while self._nonces:
            oldest_key = next(iter(self._nonces))
            if len(self._nonces) <= MAX_NONCES and self._nonces[oldest_key].expires_at > now:
                break
            del self._nonces[oldest_key]

    def authenticate(self, method: str, target: str, authorization: str | None) -> KeySpec:
        """The key behind the `Authorization` header, or AuthFailed. `target` is path[?query]."""
        if not authorization:
            raise AuthFailed()
        scheme, _, rest = authorization.strip().partition(" ")
        if scheme.lower() == "basic":
            key = self._basic(rest.strip())
        elif scheme.lower() == "digest":
            key = self._digest(method, target, rest)
        else:
            raise AuthFailed()
        if key.expired(self.clock()):
            raise AuthFailed("API Key is no longer valid", code=EXPIRED_KEY_CODE)
        return key

    def _basic(self, token: str) -> KeySpec:
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthFailed() from None
        public, sep, private = decoded.partition(":")
        key = self.keys.get(public)
        if not sep or key is None:
            raise AuthFailed()
        if not hmac.compare_digest(private.encode(), key.private_key.get_secret_value().encode()):
            raise AuthFailed()
        return key

    def _digest(self, method: str, target: str, header: str) -> KeySpec:
        p = parse_digest(header)
        key = self.keys.get(p.get("username", ""))
        nonce, uri, response = p.get("nonce", ""), p.get("uri", ""), p.get("response", "")
        algorithm = p.get("algorithm", "MD5").upper()
        if key is None or not nonce or not response or p.get("realm") != self.realm:
            raise AuthFailed()
        if algorithm not in ("MD5", "MD5-SESS") or p.get("qop", "").lower() != "auth":
            raise AuthFailed("auth failed: Digest needs algorithm=MD5 and qop=auth")
        nc_text, cnonce = p.get("nc", ""), p.get("cnonce", "")
        try:
            nc = int(nc_text, 16)
        except ValueError:
            raise AuthFailed() from None
        if not cnonce:
            raise AuthFailed()
        ha1 = self._ha1(key)
        if algorithm == "MD5-SESS":
            ha1 = _md5(f"{ha1}:{nonce}:{cnonce}")
        ha2 = _md5(f"{method}:{uri}")
        expected = _md5(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
        if not hmac.compare_digest(expected, response.lower()):
            raise AuthFailed()
        if not _same_target(uri, target):
            raise AuthFailed("auth failed: the Digest uri does not match the request")
        state = self._nonces.get(nonce)
        if state is None or state.expires_at <= self.clock():
            # the client knows the password; it only needs a fresh nonce
            raise AuthFailed("auth failed: stale nonce", stale=True)
        if not state.use(nc):
            raise AuthFailed("auth failed: nonce count reused")
        return key


# -- roles (reference §1) ----------------------------------------------------------------------------
# Refusals are 403 in the Data Service envelope (the key is valid, its role is not enough), with the
# role named in the message. Knowledge bases count as data context, managed like summaries; every role
# may read summaries and knowledge bases.

SUMMARY_ROLES = frozenset({"admin", "summary"})
CHAT_ROLES = frozenset({"admin", "readonly", "readwrite"})
WRITE_ROLES = frozenset({"admin", "readwrite"})
ANY_ROLE = frozenset({"admin", "summary", "readonly", "readwrite"})


def check_role(key: KeySpec, allowed: frozenset[str], action: str) -> None:
    if key.role not in allowed:
        from c2q_tui.local.envelopes import GatewayError

        raise GatewayError(403, f"the role of this API key ({key.role_title}) cannot {action}")
