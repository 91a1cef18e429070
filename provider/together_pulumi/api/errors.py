"""Errors raised by :class:`together_pulumi.api.TogetherClient`.

The whole tree::

    TogetherError                  base of everything this client raises
    ├── ConfigurationError         no API key, or a malformed base URL
    ├── UncertainCreateError       a create failed ambiguously and its object was not found (yet)
    ├── TransportError             no usable HTTP response
    │   ├── TimeoutError           the request or the overall deadline timed out
    │   └── ConnectionError        connecting failed, or the connection broke mid-request
    └── APIStatusError             the server answered with a 4xx/5xx status
        ├── InvalidRequestError    400, 422: carries the server's message and, when named, the field
        ├── AuthenticationError    401
        ├── PermissionDeniedError  403
        ├── NotFoundError          404
        ├── ConflictError          409; ``out_of_stock`` tells a capacity stock-out from other conflicts
        ├── RateLimitError         429; ``retry_after`` in seconds when the server said
        └── ServerError            5xx

Every ``APIStatusError`` carries ``status_code``, ``method``, ``path``, the server's ``message``
and its ``x-should-retry`` verdict (``should_retry``: True, False or None).
Messages never contain the API key: requests are described by method and path only.
"""

from __future__ import annotations

import builtins

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "TogetherError",
    "TransportError",
    "UncertainCreateError",
]


class TogetherError(Exception):
    """Base class of every error raised by the Together client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(TogetherError):
    """The client cannot be built: no API key, or a malformed base URL."""


class UncertainCreateError(TogetherError):
    """A create failed in a way that leaves open whether its object exists, and it was not found.

    The request may still land (after a timeout or a cut connection), or the lookup that should have
    found it failed too (``lookup_error``). It is never sent again: look for ``name`` first.
    ``cause`` is the create's own failure.
    """

    def __init__(
        self, name: str, cause: TogetherError, lookup_error: TogetherError | None = None, *, may_land: bool = True
    ) -> None:
        if lookup_error is not None:
            found = f"looking it up failed too ({lookup_error})"
        else:
            found = "nothing of that name was found afterwards"
        if may_land:
            outcome = "the request may still create it, so it was not sent again"
        else:
            outcome = "look for it before creating it again"
        super().__init__(f"the create of {name} failed ambiguously ({cause}) and {found}; {outcome}")
        self.name = name
        self.cause = cause
        self.lookup_error = lookup_error


class TransportError(TogetherError):
    """No usable HTTP response was received."""

    def __init__(self, message: str, *, method: str, path: str, request_sent: bool = True) -> None:
        super().__init__(f"{method} {path}: {message}")
        self.method = method
        self.path = path
        # False only when the request certainly never reached the server (connect failed).
        self.request_sent = request_sent


class TimeoutError(TransportError, builtins.TimeoutError):
    """A request, or the caller's overall deadline, timed out."""


class ConnectionError(TransportError, builtins.ConnectionError):
    """Connecting failed, or the connection broke before a complete response arrived."""


class APIStatusError(TogetherError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        path: str,
        field: str | None = None,
        retry_after: float | None = None,
        should_retry: bool | None = None,
    ) -> None:
        where = f" (field {field})" if field else ""
        super().__init__(f"{method} {path} -> {status_code}: {message}{where}")
        self.server_message = message
        self.status_code = status_code
        self.method = method
        self.path = path
        self.field = field
        self.retry_after = retry_after
        #: The server's ``x-should-retry`` header: True/False overrides the status, None = not sent.
        self.should_retry = should_retry


class InvalidRequestError(APIStatusError):
    """400/422: the request was rejected; ``field`` names the offending field when the server did."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such cluster or volume."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state, or the GPUs are out of stock."""

    @property
    def out_of_stock(self) -> bool:
        """True when the conflict is a capacity stock-out: try another region or GPU type.

        Told by the wording: Together's GPU-cluster skill quotes the service's 409 "Out of stock";
        no status code or field distinguishes it.
        """
        return "out of stock" in self.server_message.lower()


class RateLimitError(APIStatusError):
    """429: too many requests."""


class ServerError(APIStatusError):
    """5xx: the service failed."""


def error_class_for_status(status_code: int) -> type[APIStatusError]:
    """The exception class that represents an HTTP error status."""
    if status_code in (400, 422):
        return InvalidRequestError
    return {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
    }.get(status_code, ServerError if status_code >= 500 else APIStatusError)
