#!/usr/bin/env python3
"""Bootstrap for the two README commands: make .venv, install the pinned requirements, hand over to
core.runtime.devrun.

    python3 scripts/dev.py run     # install, start everything, print the URL and demo accounts
    python3 scripts/dev.py test    # install, run the whole test suite

Only the standard library is used here, so it runs on a machine that has nothing but Python 3.11.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess  # nosec B404  # development runner: fixed argument lists, no shell
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
STAMP = VENV / ".requirements.sha256"
WANTED = (3, 11)


def _say(message: str) -> None:
    print(f"[xinfang] {message}", flush=True)


def _base_python() -> str:
    """A Python 3.11 interpreter: this one, or python3.11 on PATH."""
    if sys.version_info[:2] == WANTED:
        return sys.executable
    candidate = shutil.which("python3.11")
    if candidate:
        return candidate
    _say("需要 Python 3.11（未找到 python3.11）。")
    sys.exit(2)


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for path in REQUIREMENTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create the virtualenv and (re)install requirements when the pinned files changed."""
    python = _base_python()
    if not _venv_python().exists():
        _say("创建虚拟环境 .venv ……")
        if python == sys.executable:
            venv.EnvBuilder(with_pip=True).create(VENV)
        else:
            subprocess.run([python, "-m", "venv", str(VENV)], check=True)  # nosec B603  # fixed argument list, no shell
    digest = _requirements_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    _say("安装依赖（版本已固定）……")
    subprocess.run(  # nosec B603  # fixed argument list, no shell
        [
            str(_venv_python()),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "-q",
            "-r",
            str(ROOT / "requirements-dev.txt"),
        ],
        check=True,
    )
    STAMP.write_text(digest)


def main() -> None:
    ensure_environment()
    os.chdir(ROOT)
    python = str(_venv_python())
    os.execv(python, [python, "-m", "core.runtime.devrun", *sys.argv[1:]])  # nosec B606  # replaces itself with the virtualenv python, fixed arguments


if __name__ == "__main__":
    main()
