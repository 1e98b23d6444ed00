"""A py_db client over one TCP (optionally TLS) connection, with pipelining."""

import json
import socket
import ssl
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

from .errors import PydbConnectionError, PydbError

_HEADER = b"QUERY_LENGTH: "
_MAX_HEADER_LINE = 64


def _action(name: str, *positional: str) -> Callable[..., Any]:
    """One protocol action as a method: positional arguments fill ``positional`` in order,
    keyword arguments are the request's other fields (``None`` values are left out)."""

    def method(self: "_Actions", *args: Any, **fields: Any) -> Any:
        if len(args) > len(positional):
            raise TypeError("%s() takes at most %d positional arguments (%s), %d given"
                            % (name.lower(), len(positional), ", ".join(positional) or "none", len(args)))
        for field, value in zip(positional, args):
            if field in fields:
                raise TypeError("%s() got two values for %r" % (name.lower(), field))
            fields[field] = value
        return self.call(name, **fields)

    method.__name__ = name.lower()
    method.__qualname__ = "Client." + name.lower()
    method.__doc__ = "Sends %s%s and returns its result (raises PydbError on an error response)." % (
        name, "(" + ", ".join(positional) + ", ...)" if positional else "")
    return method


class _Actions:
    """The protocol's actions, one method each; a new action is one line here."""

    def call(self, action: str, **fields: Any) -> Any:
        raise NotImplementedError

    ping = _action("PING")
    login = _action("LOGIN", "username", "password")
    logout = _action("LOGOUT")
    create_db = _action("CREATE_DB", "db")
    drop_db = _action("DROP_DB", "db")
    list_dbs = _action("LIST_DBS")
    insert = _action("INSERT", "db", "doc")
    get = _action("GET", "db", "key")
    put = _action("PUT", "db", "key", "doc")
    update = _action("UPDATE", "db", "key", "patch")
    delete = _action("DELETE", "db", "key")
    find = _action("FIND", "db", "filter")
    count = _action("COUNT", "db", "filter")
    batch = _action("BATCH", "db", "ops")
    stats = _action("STATS")
    create_index = _action("CREATE_INDEX", "db", "field")
    drop_index = _action("DROP_INDEX", "db", "field")
    list_indexes = _action("LIST_INDEXES", "db")


def _request(action: str, fields: Dict[str, Any]) -> Dict[str, Any]:
    request = {"action": action}
    request.update({name: value for name, value in fields.items() if value is not None})
    return request


def _encode(request: Dict[str, Any]) -> bytes:
    body = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER + str(len(body)).encode("ascii") + b"\r\n\r\n" + body


class Client(_Actions):
    """A connection to a py_db server.

    ``Client(host, port, username=..., password=...)`` connects and, given credentials, logs
    in (the connection stays logged in). ``tls``: ``None``/``False`` for plain TCP, ``True``
    for TLS with the system's trusted certificates, or an ``ssl.SSLContext``. ``timeout`` (in
    seconds) bounds connecting and each wait for a reply. Every action is a method named after
    it in lower case, taking the protocol's fields as keyword arguments (the first ones may be
    positional) and returning the response's ``result``; an error response raises
    :class:`PydbError`. Use it as a context manager to close it. Not thread-safe: one client per
    thread.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 9440, username: Optional[str] = None,
                 password: Optional[str] = None, tls: Union[None, bool, ssl.SSLContext] = None,
                 timeout: Optional[float] = 10) -> None:
        self.host = host
        self.port = port
        self.token: Optional[str] = None
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise PydbConnectionError("cannot connect to %s:%s: %s" % (host, port, e)) from e
        try:
            if tls:
                context = tls if isinstance(tls, ssl.SSLContext) else ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=host)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, ssl.SSLError) as e:
            sock.close()
            raise PydbConnectionError("cannot set up the connection to %s:%s: %s" % (host, port, e)) from e
        self._sock: Optional[socket.socket] = sock
        self._reader = sock.makefile("rb")
        if username is not None:
            try:
                self.login(username, password)
            except BaseException:
                self.close()
                raise

    # -- actions ---------------------------------------------------------------------------

    def call(self, action: str, **fields: Any) -> Any:
        """Sends one request and returns its ``result``; raises :class:`PydbError` on an error response."""
        response = self._roundtrip([_request(action, fields)])[0]
        if not response.get("ok"):
            raise PydbError.from_response(response)
        result = response.get("result")
        if action == "LOGIN":
            self.token = result.get("token") if isinstance(result, dict) else None
        elif action == "LOGOUT":
            self.token = None
        return result

    def pipeline(self) -> "Pipeline":
        """Requests sent together and answered in order: ``with client.pipeline() as p: p.get(...)``."""
        return Pipeline(self)

    def find_pages(self, db: str, filter: Optional[Dict[str, Any]] = None, **fields: Any) -> Iterator[Dict[str, Any]]:
        """Every page of a FIND, following ``next`` (pass ``limit`` for the page size); yields each
        page's result, ``{"docs": [...], "next": ...}``."""
        after = fields.pop("after", None)
        while True:
            page = self.find(db, filter=filter, after=after, **fields)
            yield page
            after = page.get("next")
            if after is None:
                return

    def find_all(self, db: str, filter: Optional[Dict[str, Any]] = None, **fields: Any) -> Iterator[Dict[str, Any]]:
        """Every matching document (``{"key", "rev", "doc"}``) across all pages, in key order."""
        for page in self.find_pages(db, filter=filter, **fields):
            for doc in page.get("docs", []):
                yield doc

    # -- connection ------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._sock is None

    def close(self) -> None:
        """Closes the connection; idempotent."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                self._reader.close()
            finally:
                sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Client(%s:%s%s)" % (self.host, self.port, ", closed" if self.closed else "")

    def _roundtrip(self, requests: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if self._sock is None:
            raise PydbConnectionError("the client is closed")
        try:
            self._sock.sendall(b"".join(_encode(request) for request in requests))
            return [self._read_response() for _ in requests]
        except PydbConnectionError:
            self.close()
            raise
        except (OSError, ValueError) as e:
            self.close()
            raise PydbConnectionError("connection to %s:%s failed: %s" % (self.host, self.port, e)) from e

    def _read_response(self) -> Dict[str, Any]:
        line = self._reader.readline(_MAX_HEADER_LINE)
        if not line:
            raise PydbConnectionError("the server closed the connection")
        if not line.startswith(_HEADER) or not line.endswith(b"\r\n"):
            raise PydbConnectionError("not a py_db frame header: %r" % line[:_MAX_HEADER_LINE])
        length = int(line[len(_HEADER):-2])
        if self._reader.readline(3) != b"\r\n":
            raise PydbConnectionError("a frame header must end with an empty line")
        body = self._reader.read(length)
        if len(body) != length:
            raise PydbConnectionError("the server closed the connection within a frame")
        response = json.loads(body.decode("utf-8"))
        if not isinstance(response, dict):
            raise PydbConnectionError("a response must be a JSON object")
        return response


class Pipeline(_Actions):
    """Requests queued by the action methods and sent in one write when the ``with`` block ends
    (or :meth:`execute` is called); the replies are read in order into :attr:`results`, where
    a failed request's place holds its :class:`PydbError`. Leaving the block then raises the
    first error, after every reply has been read."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._requests: List[Dict[str, Any]] = []
        self.results: Optional[List[Any]] = None

    def call(self, action: str, **fields: Any) -> int:
        """Queues one request; returns its position in :attr:`results`."""
        self._requests.append(_request(action, fields))
        return len(self._requests) - 1

    def execute(self, raise_on_error: bool = True) -> List[Any]:
        """Sends the queued requests and returns their results in order."""
        requests, self._requests = self._requests, []
        responses = self._client._roundtrip(requests) if requests else []
        self.results = [response.get("result") if response.get("ok") else PydbError.from_response(response)
                        for response in responses]
        if raise_on_error:
            for result in self.results:
                if isinstance(result, PydbError):
                    raise result
        return self.results

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.execute()
