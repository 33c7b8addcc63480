"""Helpers for the browser tests: Debian's Chromium and the app on a real HTTP server.

Only Debian's ``chromium`` package is used: no browser is ever downloaded (no
``playwright install``), so the tests work wherever ``apt-get`` reaches Debian.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
APT_TIMEOUT = 900  # seconds; installing chromium on a fresh machine takes a while


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt_install(*packages: str) -> bool:
    """``apt-get update`` and ``apt-get install`` as root; False when that is impossible."""
    apt = shutil.which("apt-get")
    if not apt or not _is_root():
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([apt, "update", "-qq"], check=True, env=env, timeout=APT_TIMEOUT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([apt, "install", "-y", "-qq", *packages], check=True, env=env,
                       timeout=APT_TIMEOUT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def chromium_executable() -> str | None:
    """Debian's Chromium, installed with apt-get when missing and possible; else None."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    if _apt_install("chromium") and CHROMIUM.exists():
        return str(CHROMIUM)
    return None


def ensure_cjk_font() -> bool:
    """Best effort: a Chinese font, so screenshots show text rather than empty boxes.

    The tests never depend on it (they read the DOM); it only makes the screenshots useful.
    """
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True,
                                   text=True, timeout=30, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            return True
    return _apt_install("fonts-wqy-microhei")


class LiveServer(NamedTuple):
    """The app served over HTTP from a background thread: ``url, stop = serve_app(app)``."""

    url: str
    stop: Callable[[], None]


def serve_app(app: Any, host: str = "127.0.0.1") -> LiveServer:
    """Starts ``app`` on a free port (threaded werkzeug server); call ``stop()`` when done."""
    server = make_server(host, 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, name=f"live-server-{port}",
                              daemon=True)
    thread.start()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return LiveServer(url=f"http://{host}:{port}", stop=stop)
