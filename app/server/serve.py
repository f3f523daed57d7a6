"""``python -m app.server``: the training directory as an HTTPS service on loopback.

Builds or opens the training directory exactly as the app does (its key and
audit-signing key from the secure key store, its training tokens provisioned),
makes or reuses the training CA and server certificate, and serves the API
with uvicorn over TLS on 127.0.0.1. It prints the URL, the CA bundle and the
command that runs the app against it.
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import shlex
import socket
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from ..directory import Directory
from ..paths import Paths
from . import tls
from .app import ServiceSettings, create_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")
REPO = Path(__file__).resolve().parents[2]  # a source checkout when it holds pyproject.toml
DEFAULT_PORT = 8443  # the Makefile's SERVE_PORT default too


def client_command() -> tuple[str, str]:
    """(command, where to run it) that starts the app: a checkout's main.py, else the installed ``signpost``."""
    if not (REPO / "pyproject.toml").exists():
        return "signpost", ""
    python = os.path.relpath(sys.executable) if sys.executable.startswith(str(REPO)) else sys.executable
    return f"{shlex.quote(python)} main.py", f", from {REPO}"


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); OSError when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # asyncio sets TCP_NODELAY only on sockets made with proto=IPPROTO_TCP; without it every answer
        # waits ~40 ms for a delayed ACK (Nagle). Accepted connections inherit it from here.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_server(app, files: tls.TlsFiles, log_level: str = "info", **config):
    """A uvicorn server for ``app`` (``create_app``) over TLS with ``files``; run it with
    ``.run(sockets=[listen(...)])``. From the app's ``ServiceSettings``: forwarded headers are believed only
    from ``trusted_proxies`` (none by default: uvicorn would otherwise believe any X-Forwarded-For from
    127.0.0.1, where this service listens, and the per-address limit would be bypassed), and each request
    must arrive within ``request_read_timeout_s`` (``protocol``). ``config`` overrides uvicorn's settings."""
    import uvicorn

    from .protocol import bounded_h11
    settings: ServiceSettings = app.state.settings
    proxies = list(settings.trusted_proxies)
    options = dict(ssl_certfile=str(files.cert), ssl_keyfile=str(files.key), log_level=log_level,
                   timeout_keep_alive=30, timeout_graceful_shutdown=5, server_header=False,
                   http=bounded_h11(settings.request_read_timeout_s), proxy_headers=bool(proxies),
                   forwarded_allow_ips=proxies or None)
    return uvicorn.Server(uvicorn.Config(app, **{**options, **config}))


def training_engine(paths: Paths, say: Callable[[str], None]) -> Callable[[], Directory]:
    """What opens the training directory, as the app does (``ui/startup.py``); runs on the engine's thread."""

    def open_directory() -> Directory:
        from .. import training
        from ..keystore import SecureKeyStore
        from ..settings import Settings
        store = SecureKeyStore()
        shown: set[tuple[str, int]] = set()
        children = Settings.load(paths.settings_file).training_children

        def progress(phase: str, done: int, total: int) -> None:
            step = (phase, 10 * done // max(total, 1))
            if step not in shown:  # each phase at every tenth
                if not shown:
                    say(f"Building the training directory ({children:,} children; first run only)…")
                shown.add(step)
                say(f"  {phase}: {10 * step[1]}%")

        # built on a first run only; one that will not open is said to be so, never rebuilt (issue 13 §4.2)
        return training.open_or_build(paths, store, children=children, clock=date.today, progress=progress)

    return open_directory


def _closes_at(text: str | None) -> float | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return moment.timestamp()


def client_commands(url: str, port: int, ca: Path) -> str:
    """How to run the app against this service, with this port (issue 15 2.6): from a checkout through make,
    which starts a keyring where the desktop has none, or by hand; installed, the ``signpost`` command."""
    command, where = client_command()
    settings = f"SIGNPOST_DIRECTORY_URL={url} SIGNPOST_CA_BUNDLE={shlex.quote(str(ca))}"
    if not where:
        return f"Run the app against it, in another terminal:\n  {settings} {command}"
    make = "make run-remote" + (f" SERVE_PORT={port}" if port != DEFAULT_PORT else "")
    keyring = os.environ.get("SIGNPOST_KEYRING_HOME", "")  # make's own keyring: the app's cache key outlives a run
    kept = f"SIGNPOST_KEYRING_HOME={shlex.quote(keyring)} " if keyring else ""
    return (f"Run the app against it, in another terminal{where}:\n"
            f"  {make}\n"
            f"or without make:\n"
            f"  {kept}{settings} packaging/with-keyring.sh {command}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.server",
                                 description="Run the training directory as an HTTPS service on loopback.")
    ap.add_argument("--host", default="127.0.0.1", choices=LOOPBACK,
                    help="loopback address to listen on (the training certificate covers loopback only)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    ap.add_argument("--idle-minutes", type=float, default=ServiceSettings.idle_minutes,
                    help="end a session unused this long (default 30)")
    ap.add_argument("--closes-at", metavar="ISO-TIME", help="switch-off time (R-CLOSE-1), e.g. 2026-12-01T17:00")
    ap.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                    help="a reverse proxy whose X-Forwarded-For is believed (repeat for more; default: none)")
    ap.add_argument("--write-openapi", nargs="?", const="", metavar="PATH",
                    help="write the OpenAPI document (default resources/openapi.yaml) and exit")
    args = ap.parse_args(argv)
    if args.write_openapi is not None:
        from .document import write_openapi
        print(f"Wrote {write_openapi(Path(args.write_openapi) if args.write_openapi else None)}")
        return 0
    if not 0 < args.port < 65536 or not 0 < args.idle_minutes <= 24 * 60:
        ap.error("give a port 1-65535 and idle minutes above 0")
    try:
        closes_at = _closes_at(args.closes_at)
    except ValueError:
        ap.error("--closes-at takes a date and time like 2026-12-01T17:00")
    for proxy in args.trusted_proxy:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            ap.error(f"--trusted-proxy takes an IP address or network like 10.0.0.5 or 10.0.0.0/24, not {proxy!r}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        say(f"Cannot listen on {args.host}:{args.port} ({exc.strerror}). Is the service already running? "
            "Stop it, or choose another port with --port.")
        return 2
    paths = Paths.default()
    paths.ensure()
    files = tls.ensure(paths.data / "service")
    app = create_app(training_engine(paths, say), ServiceSettings(idle_minutes=args.idle_minutes,
                                                                  closes_at=closes_at,
                                                                  trusted_proxies=tuple(args.trusted_proxy)))
    try:
        app.state.directory.opened.result()
    except Exception as exc:
        app.state.shutdown()
        sock.close()
        from ..keystore import KeystoreError
        if isinstance(exc, KeystoreError):
            say(f"The service cannot reach a secure keyring: {exc} (run it with `make serve`, which starts one).")
        else:
            say(f"The training directory could not be opened: {exc}")
        return 1
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"https://{host}:{sock.getsockname()[1]}"
    print(f"Signpost directory service (training data) at {url}/v1\n"
          f"CA bundle (the client verifies the server with it): {files.ca}\n"
          + client_commands(url, sock.getsockname()[1], files.ca) + "\nStop the service with Ctrl+C.", flush=True)
    server = uvicorn_server(app, files)
    try:
        server.run(sockets=[sock])
    finally:
        app.state.shutdown()
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
