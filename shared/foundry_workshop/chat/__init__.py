"""The chat app's reusable parts, kept out of Chainlit so they can be tested and read on their own.

- :mod:`.config`: the seed's ``MODEL``/``BASE_URL``/``API_KEY`` mapped onto the package's one resolution path.
- :mod:`.service`: one model connection per app process, with a startup health check.
- :mod:`.history`: per-session history with a system prompt and a size budget; refuses empty/oversized input.
- :mod:`.streaming`: stream one answer with the async client, keeping what arrived if the stream breaks.
- failures are explained for the person chatting by :mod:`foundry_workshop.failures` (no stack traces, no keys).
- :mod:`.launcher`: start/stop the Chainlit app as a subprocess (notebook 06, ``make chat``, tests).
- :mod:`.source`: an app's handlers as a Markdown code block, for lesson 06 to read them from the file.

Nothing here imports Chainlit: importing it creates files in the working directory.
"""

from foundry_workshop.chat.config import SEED_VARIABLES, connect_kwargs
from foundry_workshop.chat.history import DEFAULT_MAX_CHARS, ChatHistory, InputTooLongError, Turn
from foundry_workshop.chat.launcher import DEFAULT_PORT, ChatApp, chat_app_path, start_chat_app
from foundry_workshop.chat.service import ModelService
from foundry_workshop.chat.source import function_names, functions_markdown
from foundry_workshop.chat.streaming import Reply, stream_reply

__all__ = [
    "DEFAULT_MAX_CHARS", "DEFAULT_PORT", "SEED_VARIABLES", "ChatApp", "ChatHistory", "InputTooLongError",
    "ModelService", "Reply", "Turn", "chat_app_path", "connect_kwargs", "function_names", "functions_markdown",
    "start_chat_app", "stream_reply",
]
