"""pydb_client: a client for the py_db JSON document database (Python 3.9+, standard library only).

    from pydb_client import Client, PydbError

    with Client("127.0.0.1", 9440, username="admin", password="...") as client:
        client.create_db("shop")
        client.put("shop", "u1", {"name": "Ann", "age": 31})
        print(client.get("shop", "u1"))          # {'key': 'u1', 'rev': 1, 'doc': {...}}
"""

from .client import Client, Pipeline
from .errors import PydbConnectionError, PydbError

__version__ = "0.1.0.dev0"
__all__ = ["Client", "Pipeline", "PydbError", "PydbConnectionError", "__version__"]
