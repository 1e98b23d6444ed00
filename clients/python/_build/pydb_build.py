"""A PEP 517 build backend for pydb-client with the standard library only, so that
``pip install clients/python`` needs no network (setuptools would be downloaded into pip's
isolated build environment). It builds a pure-Python wheel of the ``pydb_client`` package and a
source archive; the name, version, summary and Python requirement come from pyproject.toml.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "pydb_client"


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def value(key):
        match = re.search(r'^%s\s*=\s*"([^"]*)"' % re.escape(key), section, re.MULTILINE)
        if not match:
            raise ValueError("pyproject.toml: [project] %s is missing" % key)
        return match.group(1)

    return {"name": value("name"), "version": value("version"), "summary": value("description"),
            "requires_python": value("requires-python")}


def _metadata(project):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return ("Metadata-Version: 2.1\nName: %(name)s\nVersion: %(version)s\nSummary: %(summary)s\n"
            "Requires-Python: %(requires_python)s\nLicense: Apache-2.0\n"
            "Description-Content-Type: text/markdown\n\n" % project) + readme


def _dist_name(project):
    return project["name"].replace("-", "_")


def _sources():
    for name in sorted(os.listdir(os.path.join(ROOT, PACKAGE))):
        if name.endswith(".py"):
            yield PACKAGE + "/" + name


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _write_wheel(wheel_directory, files, project, tag="py3-none-any"):
    dist_info = "%s-%s.dist-info" % (_dist_name(project), project["version"])
    wheel_name = "%s-%s-%s.whl" % (_dist_name(project), project["version"], tag)
    entries = list(files)
    entries.append((dist_info + "/METADATA", _metadata(project).encode("utf-8")))
    entries.append((dist_info + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: pydb_build\nRoot-Is-Purelib: true\n"
                                           "Tag: %s\n" % tag).encode("ascii")))
    record = [_record_line(path, data) for path, data in entries] + [dist_info + "/RECORD,,"]
    entries.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in entries:
            wheel.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for path in _sources():
        with open(os.path.join(ROOT, path), "rb") as f:
            files.append((path, f.read()))
    return _write_wheel(wheel_directory, files, _project())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # PEP 660: a .pth file that puts this folder on sys.path.
    return _write_wheel(wheel_directory, [(PACKAGE + "_editable.pth", (ROOT + "\n").encode("utf-8"))], _project())


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (_dist_name(project), project["version"])
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as sdist:
        for path in ["pyproject.toml", "README.md", "_build/pydb_build.py"] + list(_sources()):
            sdist.add(os.path.join(ROOT, path), arcname=base + "/" + path)
        info = _metadata(project).encode("utf-8")
        member = tarfile.TarInfo(base + "/PKG-INFO")
        member.size = len(info)
        sdist.addfile(member, io.BytesIO(info))
    return name
