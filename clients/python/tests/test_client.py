"""pydb_client against a real server started from the distribution zip."""

import unittest

from pydb_client import Client, Pipeline, PydbConnectionError, PydbError

from . import pydb_server

SERVER = None


def setUpModule():
    global SERVER
    SERVER = pydb_server.Server()


def tearDownModule():
    exit_code = SERVER.stop()
    if exit_code != 0:
        raise AssertionError("the server exited with %s after SIGTERM" % exit_code)


def admin():
    return Client("127.0.0.1", SERVER.port, username=pydb_server.ADMIN[0], password=pydb_server.ADMIN[1])


class ClientTest(unittest.TestCase):
    db = None
    counter = 0

    def setUp(self):
        ClientTest.counter += 1
        self.db = "py%d" % ClientTest.counter
        self.client = admin()
        self.client.create_db(self.db)

    def tearDown(self):
        self.client.close()

    def test_ping_needs_no_login(self):
        with Client("127.0.0.1", SERVER.port) as anonymous:
            self.assertEqual(anonymous.ping(), "PONG")
            self.assertIsNone(anonymous.token)

    def test_login_keeps_the_connection_logged_in_and_logout_ends_it(self):
        with Client("127.0.0.1", SERVER.port) as client:
            result = client.login(pydb_server.READER[0], pydb_server.READER[1])
            self.assertEqual(result["roles"], ["read:*"])
            self.assertEqual(client.token, result["token"])
            self.assertIn(self.db, client.list_dbs())
            self.assertEqual(client.logout(), {"revoked": True})
            self.assertIsNone(client.token)
            with self.assertRaises(PydbError) as raised:
                client.list_dbs()
            self.assertEqual(raised.exception.code, "UNAUTHENTICATED")

    def test_a_wrong_password_raises_unauthenticated(self):
        with self.assertRaises(PydbError) as raised:
            Client("127.0.0.1", SERVER.port, username=pydb_server.READER[0], password="wrong")
        self.assertEqual(raised.exception.code, "UNAUTHENTICATED")

    def test_documents_with_revisions_and_compare_and_set(self):
        c = self.client
        self.assertEqual(c.insert(self.db, {"name": "Ann", "age": 31}, key="u1"), {"key": "u1", "rev": 1})
        generated = c.insert(self.db, {"name": "anonymous"})
        self.assertEqual(generated["rev"], 1)
        self.assertTrue(generated["key"])
        self.assertEqual(c.put(self.db, "u2", {"name": "Bob", "age": 25}, rev=0), {"key": "u2", "rev": 1})
        self.assertEqual(c.update(self.db, "u1", {"age": 32, "city": "Oslo"}, rev=1)["rev"], 2)
        self.assertEqual(c.get(self.db, "u1"), {"key": "u1", "rev": 2, "doc": {"name": "Ann", "age": 32, "city": "Oslo"}})
        self.assertEqual(c.get(db=self.db, key="u2")["doc"]["name"], "Bob")
        self.assertEqual(c.count(self.db), 3)
        self.assertEqual(c.count(self.db, {"age": {"$gte": 30}}), 1)
        self.assertEqual(c.delete(self.db, generated["key"]), {"key": generated["key"], "deleted": True})
        found = c.find(self.db, {"age": {"$gt": 20}})
        self.assertEqual([doc["key"] for doc in found["docs"]], ["u1", "u2"])
        self.assertIsNone(found["next"])

    def test_error_responses_raise_pydb_error_with_code_message_and_details(self):
        c = self.client
        with self.assertRaises(PydbError) as missing:
            c.get(self.db, "nope")
        self.assertEqual(missing.exception.code, "NOT_FOUND")
        self.assertIn("nope", missing.exception.message)
        self.assertEqual(missing.exception.details, {})
        c.put(self.db, "k", {"n": 1})
        with self.assertRaises(PydbError) as conflict:
            c.put(self.db, "k", {"n": 2}, rev=7)
        self.assertEqual(conflict.exception.code, "CONFLICT")
        with self.assertRaises(PydbError) as batch:
            c.batch(self.db, [{"action": "PUT", "key": "a", "doc": {}}, {"action": "DELETE", "key": "missing"}])
        self.assertEqual(batch.exception.code, "NOT_FOUND")
        self.assertEqual(batch.exception.details, {"index": 1})
        with self.assertRaises(PydbError) as unknown:
            c.call("NO_SUCH_ACTION")
        self.assertEqual(unknown.exception.code, "UNKNOWN_ACTION")
        self.assertEqual(c.ping(), "PONG", "the connection stays usable after error responses")

    def test_roles_are_enforced(self):
        with Client("127.0.0.1", SERVER.port, username=pydb_server.READER[0], password=pydb_server.READER[1]) as reader:
            with self.assertRaises(PydbError) as raised:
                reader.put(self.db, "k", {"n": 1})
            self.assertEqual(raised.exception.code, "FORBIDDEN")

    def test_batch_is_atomic(self):
        results = self.client.batch(self.db, [{"action": "INSERT", "key": "o1", "doc": {"total": 10}},
                                              {"action": "PUT", "key": "o2", "doc": {"total": 20}}])
        self.assertEqual(results, {"results": [{"key": "o1", "rev": 1}, {"key": "o2", "rev": 1}]})

    def test_stats_and_databases(self):
        stats = self.client.stats()
        self.assertEqual(stats["storage"]["provider"], "json")
        self.assertIn(self.db, stats["databases"])
        self.assertIn(self.db, self.client.list_dbs())
        self.assertEqual(self.client.drop_db(self.db), {"db": self.db, "dropped": True})
        self.assertNotIn(self.db, self.client.list_dbs())
        self.client.create_db(self.db)

    def test_a_pipeline_sends_everything_and_reads_the_replies_in_order(self):
        with self.client.pipeline() as p:
            self.assertIsInstance(p, Pipeline)
            for i in range(200):
                p.put(self.db, "k%03d" % i, {"n": i})
            p.get(self.db, "k199")
            p.count(self.db)
        self.assertEqual(len(p.results), 202)
        self.assertEqual(p.results[0], {"key": "k000", "rev": 1})
        self.assertEqual(p.results[200]["doc"], {"n": 199})
        self.assertEqual(p.results[201], 200)

    def test_a_failed_request_in_a_pipeline_keeps_its_place_and_the_block_raises_it(self):
        with self.assertRaises(PydbError) as raised:
            with self.client.pipeline() as p:
                p.put(self.db, "a", {"n": 1})
                p.get(self.db, "missing")
                p.put(self.db, "b", {"n": 2})
        self.assertEqual(raised.exception.code, "NOT_FOUND")
        self.assertEqual(p.results[0], {"key": "a", "rev": 1})
        self.assertIsInstance(p.results[1], PydbError)
        self.assertEqual(p.results[2], {"key": "b", "rev": 1}, "requests after the failed one ran")
        pipeline = self.client.pipeline()
        pipeline.get(self.db, "missing")
        self.assertIsInstance(pipeline.execute(raise_on_error=False)[0], PydbError)

    def test_find_pages_follow_next_to_the_end(self):
        with self.client.pipeline() as p:
            for i in range(25):
                p.put(self.db, "d%02d" % i, {"n": i, "even": i % 2 == 0})
        pages = list(self.client.find_pages(self.db, {"even": True}, limit=4))
        self.assertGreaterEqual(len(pages), 4)
        self.assertTrue(all(len(page["docs"]) <= 4 for page in pages))
        self.assertIsNone(pages[-1]["next"])
        keys = [doc["key"] for page in pages for doc in page["docs"]]
        self.assertEqual(keys, ["d%02d" % i for i in range(0, 25, 2)])
        self.assertEqual([doc["doc"]["n"] for doc in self.client.find_all(self.db, limit=10)], list(range(25)))

    def test_the_context_manager_closes_the_connection(self):
        with admin() as client:
            self.assertFalse(client.closed)
        self.assertTrue(client.closed)
        with self.assertRaises(PydbConnectionError):
            client.ping()

    def test_a_connection_refused_is_a_connection_error(self):
        with self.assertRaises(PydbConnectionError):
            Client("127.0.0.1", pydb_server._free_port(), timeout=2)


if __name__ == "__main__":
    unittest.main()
