"""The names the API's clients agree on: environment variables and the default host.

The official SDKs read the same variables, so one shell setting serves the ``together`` CLI, the SDK
and this provider.
"""

from __future__ import annotations

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "DEFAULT_BASE_URL", "PROJECT_ID_ENV"]

API_KEY_ENV = "TOGETHER_API_KEY"
BASE_URL_ENV = "TOGETHER_BASE_URL"
PROJECT_ID_ENV = "TOGETHER_PROJECT_ID"
#: A host: request paths carry ``/v1``, as in the SDK.
DEFAULT_BASE_URL = "https://api.together.ai"
