"""Reference solutions for lesson 06 (the Chainlit app). `make run` and the tests use them in place of the stubs."""

from __future__ import annotations

from typing import Any


async def stream_answer(client: Any, model: str, history: list[dict], text: str, msg: Any) -> None:
    """The body of an `on_message` handler that remembers: stream the answer into `msg`, then keep the turn."""
    history.append({"role": "user", "content": text})
    stream = await client.chat.completions.create(model=model, messages=history, stream=True, max_tokens=60)
    pieces = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
            await msg.stream_token(chunk.choices[0].delta.content)
    await msg.send()
    history.append({"role": "assistant", "content": "".join(pieces)})
