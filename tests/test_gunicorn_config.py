"""Where gunicorn listens: this machine only unless HOST says otherwise."""

import json
import os
import subprocess
import sys

import pytest

from .servers import PROJECT_ROOT


def gunicorn_bind(**environ: str) -> str:
    """The `bind` gunicorn reads from the packaged settings under `environ`."""
    script = (
        "import json, importlib\n"
        "from gunicorn.config import Config\n"
        "config = Config()\n"
        "config.set('bind', importlib.import_module('interview.gunicorn_config').bind)\n"
        "print(json.dumps(config.bind))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("environ", "bind"),
    [
        ({}, ["127.0.0.1:8000"]),
        ({"PORT": "9123"}, ["127.0.0.1:9123"]),
        ({"HOST": "0.0.0.0"}, ["0.0.0.0:8000"]),
        ({"HOST": "0.0.0.0", "PORT": "80"}, ["0.0.0.0:80"]),
    ],
)
def test_the_bind_is_this_machine_unless_host_and_port_say_otherwise(environ, bind):
    assert gunicorn_bind(**environ) == bind
