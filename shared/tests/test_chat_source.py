"""Lesson 06 shows an app's handlers read from its file: decorators included, unknown names explained."""

from __future__ import annotations

import pytest

from foundry_workshop.chat import function_names, functions_markdown

APP = '''import chainlit as cl


def helper():
    return 1


@cl.on_message
@guarded
async def answer(message):
    await message.reply()
'''


def test_functions_come_with_their_decorators(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    assert function_names(path) == ["helper", "answer"]
    shown = functions_markdown(path, "answer", "helper")
    assert shown.startswith("```python\n@cl.on_message\n@guarded\nasync def answer(message):")
    assert shown.endswith("def helper():\n    return 1\n```")


def test_an_unknown_name_lists_what_the_file_has(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(APP)
    with pytest.raises(KeyError, match="has no function 'start'; it has: helper, answer"):
        functions_markdown(path, "start")
