#!/usr/bin/env python3
"""The two commands of the README, for a fresh machine with only Python 3.11.

    python3 dev.py run    # virtualenv, migrations, demo settings, serve on 127.0.0.1:5000
    python3 dev.py test   # virtualenv with dev tools, ruff, the whole test suite

Both create ``.venv`` on first use and reinstall only when pyproject.toml changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_ENV = ROOT / "instance" / "demo.env"


def ensure_python_311() -> None:
    if sys.version_info[:2] == (3, 11):
        return
    other = shutil.which("python3.11")
    if other is None:
        sys.exit(f"Python 3.11 is required (this is {sys.version.split()[0]}); "
                 "install it or run this script with python3.11")
    os.execv(other, [other, *sys.argv])


def ensure_venv(extras: str) -> None:
    """Creates .venv and installs the project (editable) when pyproject.toml changed."""
    if not PYTHON.exists():
        print("creating virtualenv .venv", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'run'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {spec} into .venv", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", spec], check=True,
                   cwd=ROOT)
    stamp.write_text(digest)


def demo_settings() -> dict[str, str]:
    """WeChat settings for local use, generated once, so the simulator runs in safe mode.

    Values from the environment or a .env file win over these.
    """
    if not DEMO_ENV.exists():
        DEMO_ENV.parent.mkdir(exist_ok=True)
        alphabet = string.ascii_letters + string.digits
        values = {
            "WECHAT_TOKEN": "demo" + secrets.token_hex(8),
            "WECHAT_APPID": "wxdemo" + secrets.token_hex(6),
            "WECHAT_AES_KEY": "".join(secrets.choice(alphabet) for _ in range(43)),
            "SECRET_KEY": secrets.token_hex(32),
        }
        DEMO_ENV.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return read_env_file(DEMO_ENV)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments and empty values are skipped."""
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        value = value.strip().strip("'\"")
        if sep and value and not key.startswith("#"):
            values[key.strip()] = value
    return values


def flask(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi:app", *args], check=True, cwd=ROOT,
                   env=env)


def run() -> int:
    ensure_venv("semantic")
    # Demo settings < .env < the real environment.
    env = {**demo_settings(), **read_env_file(ROOT / ".env"), **os.environ}
    flask("db", "upgrade", env=env)
    print("\nSimulator: http://127.0.0.1:5000/simulator   (WeChat webhook: /wechat)\n",
          flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        flask("run", "--host", "127.0.0.1", "--port", "5000", env=env)
    return 0


def test(pytest_args: list[str]) -> int:
    ensure_venv("dev")
    checks = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT)
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT)
    return result.returncode or checks.returncode


def main() -> int:
    ensure_python_311()
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main())
