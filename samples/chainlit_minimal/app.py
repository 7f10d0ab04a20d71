"""The smallest useful Chainlit chat app: the seed's two handlers, fixed. Run: `chainlit run app.py`.

Reads FOUNDRY_LOCAL_ENDPOINT (e.g. http://127.0.0.1:5273/v1, see `foundry server status`), WORKSHOP_MODEL (an
alias or a full id) and OPENAI_API_KEY (only if the server wants one). Imports nothing from the course package.
"""

import os

import chainlit as cl
from openai import AsyncOpenAI

# Async client: a synchronous one would freeze every other chat while one answer streams.
client = AsyncOpenAI(base_url=os.environ.get("FOUNDRY_LOCAL_ENDPOINT", "http://127.0.0.1:5273/v1"),
                     api_key=os.environ.get("OPENAI_API_KEY", "not-needed"))
ALIAS = os.environ.get("WORKSHOP_MODEL", "phi-4-mini").lower()


@cl.on_chat_start
async def start() -> None:
    # The server wants a full id: an alias such as phi-4-mini becomes Phi-4-mini-instruct-generic-cpu:5.
    ids = [m.id async for m in client.models.list()]
    matches = [i for i in ids if i.lower() == ALIAS] or [i for i in ids if i.lower().startswith(ALIAS + "-")]
    cl.user_session.set("model", min(matches, key=len) if matches else None)  # phi-4 is not phi-4-mini
    if not matches:
        await cl.Message(content=f"No model matches {ALIAS!r}. The server lists: {', '.join(ids)}").send()


@cl.on_message
async def main(message: cl.Message) -> None:
    msg = cl.Message(content="")
    stream = await client.chat.completions.create(
        model=cl.user_session.get("model"), stream=True,
        messages=[{"role": "system", "content": "You are a helpful AI assistant."},
                  {"role": "user", "content": message.content}],
    )
    async for chunk in stream:  # each piece goes to the browser as it arrives
        if chunk.choices and chunk.choices[0].delta.content:
            await msg.stream_token(chunk.choices[0].delta.content)
    await msg.send()
