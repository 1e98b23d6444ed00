"""What each method sends, against a fake server that answers every frame with the request it got."""

import json
import socket
import threading
import unittest

from pydb_client import Client, PydbConnectionError, PydbError


class EchoServer:
    """Answers each frame with {"ok": true, "result": <the request>}, or an error for action FAIL."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        connection, _ = self.listener.accept()
        reader = connection.makefile("rb")
        with connection, reader:
            while True:
                header = reader.readline()
                if not header:
                    return
                if header == b"CLOSE\r\n":
                    return
                length = int(header.split(b":")[1])
                reader.readline()
                request = json.loads(reader.read(length))
                if request["action"] == "FAIL":
                    response = {"ok": False, "error": {"code": "CONFLICT", "message": "no", "index": 3}}
                elif request["action"] == "HANG_UP":
                    return
                else:
                    response = {"ok": True, "result": request}
                body = json.dumps(response).encode()
                connection.sendall(b"QUERY_LENGTH: %d\r\n\r\n" % len(body) + body)

    def close(self):
        self.listener.close()


class RequestTest(unittest.TestCase):
    def setUp(self):
        self.server = EchoServer()
        self.client = Client("127.0.0.1", self.server.port, timeout=5)

    def tearDown(self):
        self.client.close()
        self.server.close()

    def test_every_action_is_a_lower_case_method_sending_its_fields(self):
        c = self.client
        cases = [
            (c.ping(), {"action": "PING"}),
            (c.logout(), {"action": "LOGOUT"}),
            (c.create_db("shop"), {"action": "CREATE_DB", "db": "shop"}),
            (c.drop_db(db="shop"), {"action": "DROP_DB", "db": "shop"}),
            (c.list_dbs(), {"action": "LIST_DBS"}),
            (c.insert("shop", {"a": 1}, key="k"), {"action": "INSERT", "db": "shop", "doc": {"a": 1}, "key": "k"}),
            (c.get("shop", "k"), {"action": "GET", "db": "shop", "key": "k"}),
            (c.put("shop", "k", {"a": 1}, rev=0), {"action": "PUT", "db": "shop", "key": "k", "doc": {"a": 1}, "rev": 0}),
            (c.update("shop", "k", {"a": None}, rev=2),
             {"action": "UPDATE", "db": "shop", "key": "k", "patch": {"a": None}, "rev": 2}),
            (c.delete("shop", "k"), {"action": "DELETE", "db": "shop", "key": "k"}),
            (c.find("shop", {"a": {"$gt": 1}}, limit=5, after="x"),
             {"action": "FIND", "db": "shop", "filter": {"a": {"$gt": 1}}, "limit": 5, "after": "x"}),
            (c.find("shop"), {"action": "FIND", "db": "shop"}),
            (c.count("shop", {"a": 1}), {"action": "COUNT", "db": "shop", "filter": {"a": 1}}),
            (c.batch("shop", [{"action": "DELETE", "key": "k"}]),
             {"action": "BATCH", "db": "shop", "ops": [{"action": "DELETE", "key": "k"}]}),
            (c.stats(), {"action": "STATS"}),
            (c.create_index("shop", "address.city", unique=True, ttl_seconds=60),
             {"action": "CREATE_INDEX", "db": "shop", "field": "address.city", "unique": True, "ttl_seconds": 60}),
            (c.drop_index("shop", "address.city"), {"action": "DROP_INDEX", "db": "shop", "field": "address.city"}),
            (c.list_indexes("shop"), {"action": "LIST_INDEXES", "db": "shop"}),
            (c.call("INCR", db="c", key="k", field="n", by=1),
             {"action": "INCR", "db": "c", "key": "k", "field": "n", "by": 1}),
        ]
        for sent, expected in cases:
            self.assertEqual(sent, expected)
        self.assertEqual(c.login("u", "p"), {"action": "LOGIN", "username": "u", "password": "p"})

    def test_method_names_and_arguments(self):
        self.assertEqual(Client.get.__name__, "get")
        with self.assertRaises(TypeError):
            self.client.get("shop", "k", "extra")
        with self.assertRaises(TypeError):
            self.client.get("shop", db="other")

    def test_an_error_response_carries_its_details(self):
        with self.assertRaises(PydbError) as raised:
            self.client.call("FAIL")
        self.assertEqual((raised.exception.code, raised.exception.message, raised.exception.details),
                         ("CONFLICT", "no", {"index": 3}))
        self.assertEqual(str(raised.exception), "CONFLICT: no")

    def test_unicode_survives_the_round_trip(self):
        doc = {"name": "Zoë ✓ 日本", "emoji": "\U0001F600"}
        self.assertEqual(self.client.put("shop", "k", doc)["doc"], doc)

    def test_a_connection_closed_by_the_server_closes_the_client(self):
        with self.assertRaises(PydbConnectionError):
            self.client.call("HANG_UP")
        self.assertTrue(self.client.closed)


if __name__ == "__main__":
    unittest.main()
