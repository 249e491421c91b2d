"""A real PostgreSQL server for the tests: started once per run in a temporary folder, on a free port.

Not a mock: the server Debian's ``postgresql`` package installs (``.ci/run`` installs it where it is
missing). PostgreSQL refuses to run as root, and CI runs as root: the server then runs as ``nobody``
(``runuser``), in a folder it owns. Connections from the tests go over TCP with a password, as a
deployment's ``DATABASE_URL`` would, so that the tests also see whether that password leaks anywhere.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

USER = "article_bot"
# Characters that must be percent-encoded in a URL, so that redaction of both forms is exercised.
PASSWORD = "pg-Secret/" + secrets.token_hex(6) + "@x"
UNPRIVILEGED = "nobody"
START_TIMEOUT_S = 30


class PostgresUnavailable(RuntimeError):
    """The server could not be started: the PostgreSQL tests fail with this, they are never skipped."""


def find_binary(name: str) -> str:
    """``initdb`` and ``pg_ctl`` on PATH, else in Debian's versioned folder (the newest)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    if not candidates:
        raise PostgresUnavailable(
            f"{name} not found (on PATH or in /usr/lib/postgresql/*/bin): install PostgreSQL, "
            "e.g. apt-get install -y postgresql (.ci/run does)"
        )
    return candidates[-1]


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    as_user: list[str]  # the command prefix that runs the server's tools as its owner

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str, password: str = PASSWORD, port: int | None = None) -> str:
        """What a deployment sets as DATABASE_URL: TCP, a password in the URL."""
        return f"postgresql://{USER}:{quote(password, safe='')}@127.0.0.1:{port or self.port}/{database}"

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """A connection for the tests themselves, over the Unix socket in the server's folder."""
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user=USER, dbname=database, autocommit=True)

    def create_database(self, name: str) -> str:
        with self.admin() as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, find_binary("pg_ctl"), "stop", "-D", str(self.root / "data"), "-m", "immediate", "-w"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb into a new temporary folder and start the server on a free port; raise PostgresUnavailable with
    what the tools printed if that fails."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    as_root = os.geteuid() == 0
    # As root the server runs as nobody, who must be able to reach its folder (a TMPDIR under /root is not).
    parent = tempfile.gettempdir() if not as_root or _reachable(Path(tempfile.gettempdir())) else "/tmp"
    root = Path(tempfile.mkdtemp(prefix="article-bot-pg-", dir=parent))
    as_user: list[str] = []
    if as_root:  # "root" execution of the PostgreSQL server is not permitted
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root and runuser is missing: cannot start PostgreSQL as nobody")
        as_user = [runuser, "-u", UNPRIVILEGED, "--"]
        shutil.chown(root, user=UNPRIVILEGED)
    (root / "socket").mkdir()
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if as_user:
        for path in (root / "socket", pwfile):
            shutil.chown(path, user=UNPRIVILEGED)
    _run(
        [
            *as_user,
            initdb,
            "-D",
            str(root / "data"),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ],
        "initdb",
        root,
    )
    pwfile.unlink()
    # Speed over durability: the data lives as long as the test run.
    options = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1"
    for _attempt in range(3):  # another process may take the free port between the probe and the start
        port = free_port()
        started = subprocess.run(
            [
                *as_user,
                pg_ctl,
                "start",
                "-D",
                str(root / "data"),
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "-o",
                f"-p {port} -k {root / 'socket'} {options}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            return PostgresServer(root, port, as_user)
    log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    raise PostgresUnavailable(f"pg_ctl start failed: {started.stdout}{started.stderr}{log[-2000:]}")


def _reachable(folder: Path) -> bool:
    """Whether any user can pass through every folder on the way to ``folder``."""
    return all(part.stat().st_mode & stat.S_IXOTH for part in [folder, *folder.parents])


def _run(command: list[str], what: str, root: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {done.stdout}{done.stderr}")
