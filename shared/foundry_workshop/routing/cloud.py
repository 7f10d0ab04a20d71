"""The cloud side of lesson 07: real Azure AI Foundry when it is configured, else the local emulation.

Real Azure is used when ``AZURE_INFERENCE_ENDPOINT`` or ``AZURE_OPENAI_ENDPOINT`` is set (environment or
``.env``); otherwise an :class:`~foundry_workshop.mock.azure.AzureEmulator` starts on 127.0.0.1 and serves the
same two Azure endpoints with canned answers, so the lesson runs offline with the same client code.
"""

from __future__ import annotations

from foundry_workshop import connect
from foundry_workshop.connection import Connection
from foundry_workshop.mock.azure import AzureDeployment, AzureEmulator
from foundry_workshop.settings import from_env

__all__ = ["cloud_connection"]


def cloud_connection(
    deployment: str | None = None, *, requests_per_minute: int | None = 60,
    emulated_model: str = "gpt-5.4-mini-2026-03-17",
) -> tuple[Connection, AzureEmulator | None]:
    """``(connection, emulator)``: the connection to ``deployment`` (default ``AZURE_AI_MODEL_DEPLOYMENT_NAME``)
    on real Azure with ``emulator`` None, or on the local emulation, which then serves ``deployment`` as
    ``emulated_model`` limited to ``requests_per_minute`` and stops when the connection closes."""
    deployment = deployment or from_env("azure_deployment")
    if from_env("azure_inference_endpoint") or from_env("azure_openai_endpoint"):
        return connect(backend="azure", model=deployment), None
    emulator = AzureEmulator([AzureDeployment(deployment, emulated_model, requests_per_minute=requests_per_minute)])
    emulator.start()
    try:
        conn = connect(backend="azure", model=deployment, **emulator.connect_settings())
    except BaseException:
        emulator.stop()
        raise
    conn.on_close(emulator.stop)
    return conn, emulator
