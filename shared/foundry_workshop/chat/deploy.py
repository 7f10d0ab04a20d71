"""Running the chat app for other people: sign-in, the rule for listening beyond this machine, health.

The app listens on 127.0.0.1 by default: only this computer can open it. Anyone who can reach a chat app can
use the model behind it (and read what it answers), so listening on another address (``0.0.0.0``, a LAN IP)
is refused unless sign-in is on. Sign-in is Chainlit's password authentication, configured by three
variables (environment or ``.env``; never printed, never logged):

=======================  ==============================================================================
``CHAINLIT_AUTH_SECRET``  signs Chainlit's session tokens (``chainlit create-secret`` makes one)
``CHAT_USERNAME``          the one user allowed in
``CHAT_PASSWORD``          that user's password (compared in constant time)
=======================  ==============================================================================
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from foundry_workshop.errors import ConfigurationError
from foundry_workshop.settings import env_value

__all__ = ["AUTH_VARIABLES", "DEFAULT_HOST", "ChatAuth", "check_exposure", "is_loopback"]

#: The variables of password sign-in, in the order a learner sets them.
AUTH_VARIABLES = ("CHAINLIT_AUTH_SECRET", "CHAT_USERNAME", "CHAT_PASSWORD")
#: Where the app listens unless told otherwise.
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class ChatAuth:
    """Password sign-in settings. ``repr`` shows which are set, never their values."""

    secret: str | None = field(default=None, repr=False)
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChatAuth:
        """From ``environ`` (a child process's environment) when given, else this process's; then ``.env``."""
        return cls(*((environ or {}).get(name) or env_value(name) for name in AUTH_VARIABLES))

    @property
    def missing(self) -> list[str]:
        return [name for name, value in zip(AUTH_VARIABLES, (self.secret, self.username, self.password),
                                            strict=True) if not value]

    @property
    def enabled(self) -> bool:
        """Sign-in is on when all three are set; a partial set is an error (see :meth:`check_complete`)."""
        return not self.missing

    def check_complete(self) -> None:
        """Refuse a half-configured sign-in: it would silently leave the app open."""
        if self.missing and len(self.missing) < len(AUTH_VARIABLES):
            raise ConfigurationError(
                f"Sign-in is half configured: {', '.join(self.missing)} not set. Set all of "
                f"{', '.join(AUTH_VARIABLES)} (in .env), or none of them for a local-only app."
            )

    def verify(self, username: str, password: str) -> bool:
        """True when both match; compared in constant time so timing does not leak how much matched."""
        if not self.enabled:
            return False
        user_ok = hmac.compare_digest(username.encode(), (self.username or "").encode())
        password_ok = hmac.compare_digest(password.encode(), (self.password or "").encode())
        return user_ok and password_ok

    def environment(self) -> dict[str, str]:
        """The variables to hand to the app's process (empty when sign-in is off)."""
        if not self.enabled:
            return {}
        return dict(zip(AUTH_VARIABLES, (self.secret or "", self.username or "", self.password or ""), strict=True))


def is_loopback(host: str) -> bool:
    """True when ``host`` can only be reached from this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def check_exposure(host: str, auth: ChatAuth) -> None:
    """Refuse to listen beyond this machine without sign-in. Loopback needs nothing."""
    auth.check_complete()
    if is_loopback(host) or auth.enabled:
        return
    raise ConfigurationError(
        f"Refusing to serve the chat app on {host} without sign-in: anyone who can reach this machine could use "
        f"your model. Set {', '.join(AUTH_VARIABLES)} (in .env; `chainlit create-secret` makes the secret), "
        f"or keep the default host {DEFAULT_HOST}. See docs/deployment.md."
    )
