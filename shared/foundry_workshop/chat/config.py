"""How the chat app's environment variables (the seed's ``MODEL``, ``BASE_URL``, ``API_KEY``) join the package's
one resolution path.

The seed's Chainlit sample documents three variables; the rest of the course reads ``WORKSHOP_*`` variables
through :func:`foundry_workshop.settings.resolve`. Instead of a second configuration path, the seed's names are
treated as what they are for the app: its *explicit arguments*. :func:`connect_kwargs` turns them into the
keyword arguments of :func:`foundry_workshop.connect`, so the usual order applies unchanged:

    MODEL / BASE_URL / API_KEY  >  WORKSHOP_MODEL / FOUNDRY_LOCAL_ENDPOINT / OPENAI_API_KEY  >  .env  >  defaults

=============  ===========================  =========================================================
seed variable  package setting (its env)    meaning
=============  ===========================  =========================================================
``MODEL``      model (``WORKSHOP_MODEL``)   an alias (``qwen2.5-0.5b``) or a full id; resolved to the id
``BASE_URL``   endpoint (``FOUNDRY_LOCAL_   an OpenAI-compatible server, with or without ``/v1``
               ENDPOINT``)
``API_KEY``    api_key (``OPENAI_API_KEY``) only if the server wants one; never printed
=============  ===========================  =========================================================

One inference: ``BASE_URL`` means "use the server at this URL", so it selects the ``endpoint`` backend unless
``WORKSHOP_BACKEND`` is set (in the environment or ``.env``). ``WORKSHOP_BACKEND=mock`` with a ``BASE_URL``
attaches to that mock, which is how the tests drive the app. ``bundled`` and ``foundry`` start their own server
and would silently ignore the URL, so that combination is refused with a message saying which one to drop.
The seed names are read from the process environment only (as in the seed); a ``.env`` file uses the
``WORKSHOP_*`` names like every other part of the course.
"""

from __future__ import annotations

import os

from foundry_workshop.errors import ConfigurationError
from foundry_workshop.settings import ENV_VARS, env_value, from_env

#: The seed's variable -> the package setting it sets explicitly.
SEED_VARIABLES: dict[str, str] = {"MODEL": "model", "BASE_URL": "endpoint", "API_KEY": "api_key"}

#: Backends that start their own server and therefore cannot use ``BASE_URL``.
_SELF_SERVING = ("bundled", "foundry")


def _backend_configured() -> bool:
    """True if the learner chose a backend (environment or ``.env``), as opposed to relying on the default."""
    return env_value(ENV_VARS["backend"]) is not None


def connect_kwargs() -> dict[str, str | None]:
    """Keyword arguments for :func:`foundry_workshop.connect` from the app's environment.

    ``None`` means "not given here": :func:`foundry_workshop.settings.resolve` then falls back to the
    ``WORKSHOP_*`` variables, ``.env`` and the defaults, as everywhere else in the course.
    """
    kwargs: dict[str, str | None] = {
        # The process environment only: such generic names in a .env shared with other tools must not
        # silently switch the app's backend (a .env uses the WORKSHOP_* / OPENAI_API_KEY names).
        setting: (os.environ.get(var) or "").strip() or None for var, setting in SEED_VARIABLES.items()
    }
    kwargs["backend"] = None
    if kwargs["endpoint"]:
        if not _backend_configured():
            kwargs["backend"] = "endpoint"
        elif (backend := str(from_env("backend")).strip().lower()) in _SELF_SERVING:
            raise ConfigurationError(
                f"BASE_URL is set, but WORKSHOP_BACKEND={backend} starts its own model server and would ignore it. "
                "Unset BASE_URL to use that backend, or set WORKSHOP_BACKEND=endpoint to use the server at BASE_URL."
            )
    return kwargs

