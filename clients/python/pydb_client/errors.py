"""The exceptions of pydb_client."""

from typing import Any, Dict, Optional


class PydbError(Exception):
    """An error response from the server.

    ``code`` is the protocol's error code (``NOT_FOUND``, ``CONFLICT``, ...: switch on it),
    ``message`` is for people and may change, ``details`` holds the error's other fields
    (for example a failed BATCH operation's ``index`` or an ``INTERNAL`` error's ``incident``).
    """

    def __init__(self, code: str, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.details = dict(details or {})

    @classmethod
    def from_response(cls, response: Dict[str, Any]) -> "PydbError":
        error = response.get("error") or {}
        details = {name: value for name, value in error.items() if name not in ("code", "message")}
        return cls(str(error.get("code", "UNKNOWN")), str(error.get("message", "")), details)


class PydbConnectionError(ConnectionError):
    """The connection failed, timed out or was closed; the client cannot be used any more.

    If it happened after a write was sent, whether the write was applied is unknown.
    """
