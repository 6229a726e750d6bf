"""NL-to-SQL engines behind one protocol (`base.Engine`), created by name.

The implementations are imported only when asked for: the OpenAI and Chat2DB engines pull in an HTTP
client, the builtin one its vocabulary tables.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pydantic import SecretStr

from c2q_tui.local.engines.base import Engine

if TYPE_CHECKING:
    from c2q_tui.local.settings import LocalSettings

ENGINE_NAMES = ("builtin", "openai", "chat2db")
DEFAULT_LLM_BASE_URL = "https://api.openai.com/v1"
DEFAULT_LLM_MODEL = "gpt-4o-mini"


def create_engine(name: str, settings: LocalSettings) -> Engine:
    """The engine called `name`, configured from `settings` (API keys come from the environment
    variables `settings.llm_api_key_env` / `settings.chat2db_api_key_env`, never from the settings)."""
    if name == "builtin":
        from c2q_tui.local.engines.builtin import BuiltinEngine

        return BuiltinEngine()
    if name == "openai":
        from c2q_tui.local.engines.openai import OpenAIEngine

        key = os.environ.get(settings.llm_api_key_env)
        return OpenAIEngine(
            settings.llm_base_url or DEFAULT_LLM_BASE_URL,
            settings.llm_model or DEFAULT_LLM_MODEL,
            SecretStr(key) if key else None,
        )
    if name == "chat2db":
        from c2q_tui.local.engines.chat2db import Chat2DBEngine

        key = os.environ.get(settings.chat2db_api_key_env)
        return Chat2DBEngine(
            settings.chat2db_api_base,
            settings.chat2db_app_base,
            SecretStr(key) if key else None,
            api_key_env=settings.chat2db_api_key_env,
            dataset_id=settings.chat2db_dataset_id,
        )
    raise ValueError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINE_NAMES)}")


__all__ = ["ENGINE_NAMES", "Engine", "create_engine"]
