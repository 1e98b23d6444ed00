"""A real py_db server for the tests: the distribution zip unpacked into a temporary folder and
started with bin/pydb on a free port (json storage in the temporary folder), stopped with SIGTERM.

The zip is $PYDB_DIST_ZIP, else distribution/target/pydb-*.zip of this repository. Without one
the tests are skipped, unless $CI is set: then that is an error (CI must run them).
"""

import glob
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ADMIN = ("py-admin", "py-admin-password")
READER = ("py-reader", "py-reader-password")


def _zip_path():
    given = os.environ.get("PYDB_DIST_ZIP")
    if given:
        if not os.path.isfile(given):
            raise RuntimeError("PYDB_DIST_ZIP=%s is not a file" % given)
        return given
    found = sorted(glob.glob(os.path.join(REPO, "distribution", "target", "pydb-*.zip")))
    if found:
        return found[-1]
    reason = "no distribution zip (run mvn -B -DskipTests package, or set PYDB_DIST_ZIP)"
    if os.environ.get("CI"):
        raise RuntimeError(reason + "; CI must run these tests")
    raise unittest.SkipTest(reason)


def _unzip(path, target):
    """Unpacks keeping the Unix modes (zipfile alone drops them)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            extracted = archive.extract(info, target)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(extracted, mode)
        top = archive.namelist()[0].split("/")[0]
    return os.path.join(target, top)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pings(port):
    body = b'{"action":"PING"}'
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"QUERY_LENGTH: %d\r\n\r\n" % len(body) + body)
            return b"PONG" in s.recv(4096)
    except OSError:
        return False


class Server:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="pydb-python-tests-")
        self.home = _unzip(_zip_path(), self.work)
        self.port = _free_port()
        env = {
            "server": {"host": "127.0.0.1", "port": self.port, "max_batch_ops": 50},
            "storage": {"provider": "json", "path": os.path.join(self.work, "data")},
            "auth": {"users": [
                {"username": ADMIN[0], "password": ADMIN[1], "roles": ["admin"]},
                {"username": READER[0], "password": READER[1], "roles": ["read:*"]},
            ]},
            "logging": {"level": "INFO", "console": True, "file": None},
        }
        self.env_file = os.path.join(self.work, "env.json")
        with open(self.env_file, "w") as f:
            json.dump(env, f)
        self.log = open(os.path.join(self.work, "server.log"), "wb")
        launcher = os.path.join(self.home, "bin", "pydb")
        os.chmod(launcher, os.stat(launcher).st_mode | stat.S_IXUSR)
        self.process = subprocess.Popen([launcher, "-e", self.env_file], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while not _pings(self.port):
            if self.process.poll() is not None:
                raise RuntimeError("the server exited with %s:\n%s" % (self.process.returncode, self.output()))
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("the server did not answer PING within 90 s:\n" + self.output())
            time.sleep(0.2)

    def output(self):
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM; returns the exit code."""
        try:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log.close()
            shutil.rmtree(self.work, ignore_errors=True)
