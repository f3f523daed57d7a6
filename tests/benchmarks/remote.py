"""Remote figures for ``make bench``: the directory service over loopback HTTPS (issue 7).

The service (``app.server.create_app`` under uvicorn, TLS with its training
CA) runs in its own process over the same generated directory, its engine
opened with ``Limits.off()`` (the rate limits would otherwise refuse a
benchmark's pace); the clients are ``RemoteDirectory`` instances in this
process, verifying TLS and keeping connections alive.

- ``remote_signin_ms``: median of whole sign-ins over HTTPS (challenge, then
  sign-in with a software token's signature; includes the service's Argon2id
  password check), no PKCS#11.
- ``remote_search_p50_ms`` / ``remote_search_p95_ms``: the whole quality query
  mix, one client, one query at a time, audit write included.
- ``service_searches_per_s`` and ``service_p95_under_load_ms``: 16 clients, each
  with its own session and connection, searching the mix as fast as answers
  come, for a fixed time, on this 2-core machine (clients and service share it).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 16
LOAD_SECONDS = 15.0


def _serve(path: str, folder: str, today: str) -> None:
    """In the service process: the key comes on stdin; prints ``ready <port>`` once listening."""
    import uvicorn

    from app.directory import Directory
    from app.limits import Limits
    from app.server import create_app
    from app.server.app import ServiceSettings
    from app.server.serve import listen
    from app.server.tls import ensure

    key = bytes.fromhex(sys.stdin.readline().strip())
    material = ensure(Path(folder))
    day = date.fromisoformat(today)
    app = create_app(lambda: Directory.open(path, key, clock=lambda: day, limits=Limits.off()),
                     ServiceSettings(sessions_per_user=CLIENTS + 4, unauthenticated_per_minute=10**6))
    sock = listen("127.0.0.1", 0)  # the service's own: listening (with TCP_NODELAY) before it says ready
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, ssl_certfile=str(material.cert), ssl_keyfile=str(material.key),
                            log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    threading.Thread(target=lambda: (sys.stdin.read(), setattr(server, "should_exit", True)), daemon=True).start()
    print(f"ready {port}", flush=True)
    profile = os.environ.get("SIGNPOST_PROFILE_SERVICE")  # a path: profile the service while it runs
    if profile:
        import cProfile
        import threading as _t
        _t.setprofile(None)
        prof = cProfile.Profile()
        prof.enable()
    try:
        server.run(sockets=[sock])
    finally:
        if profile:
            prof.disable()
            prof.dump_stats(profile)
        app.state.shutdown()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 3)


def figures(path: Path, key: bytes, today: date, queries: list, folder: Path, say=print) -> dict:
    """Start the service over ``path``, then time sign-in, the query mix and the load."""
    from app.directory import Directory, Refusal
    from app.directory.remote import RemoteDirectory
    from app.model import AccessReason, Reason, Viewer
    from app.token.signin import signin_message
    from tests.conftest import SoftToken

    tokens = [SoftToken(f"bench-remote-{i:02d}") for i in range(CLIENTS)]
    d = Directory.open(path, key, clock=lambda: today)
    tokens[0].enrol(d, "alex.practitioner")  # one user, one token: every client signs in as them
    d.close()
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.remote", "serve", str(path), str(folder),
                             today.isoformat()], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    try:
        proc.stdin.write(key.hex() + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line.startswith("ready "):
            raise RuntimeError("the directory service did not start for the benchmark")
        url = f"https://127.0.0.1:{int(line.split()[1])}"
        ca = str(folder / "ca.pem")
        reason = Reason(AccessReason.PROVIDING_SERVICE)
        token = tokens[0]

        def sign_in(client: RemoteDirectory):
            challenge = client.challenge().result(30)
            return client.sign_in("alex.practitioner", "training-only-2026", token.serial, challenge,
                                  token.sign(signin_message("sign-in", token.serial, challenge))).result(60)

        def ask(client, viewer, criteria) -> float:
            t0 = time.perf_counter()
            try:
                client.search(viewer, criteria, reason).result(60)
            except Refusal:
                pass
            return (time.perf_counter() - t0) * 1000

        one = RemoteDirectory(url, ca)
        signins = []
        for _ in range(5):
            t0 = time.perf_counter()
            signed = sign_in(one)
            signins.append((time.perf_counter() - t0) * 1000)
        viewer = Viewer(signed.user, None, signed.session)
        for q in queries[:50]:
            ask(one, viewer, q.criteria)
        say(f"timing {len(queries):,} searches over HTTPS, one client…")
        times = [ask(one, viewer, q.criteria) for q in queries]
        one.close()

        say(f"timing {CLIENTS} clients at once for {LOAD_SECONDS:.0f} s…")
        clients = [RemoteDirectory(url, ca) for _ in range(CLIENTS)]
        viewers = []
        for c in clients:
            s = sign_in(c)
            viewers.append(Viewer(s.user, None, s.session))
        loads: list[list[float]] = [[] for _ in clients]
        start = time.perf_counter()
        stop_at = start + LOAD_SECONDS

        def work(i: int) -> None:
            n = i * 997
            while time.perf_counter() < stop_at:
                loads[i].append(ask(clients[i], viewers[i], queries[n % len(queries)].criteria))
                n += 1
        threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=LOAD_SECONDS + 120)
        elapsed = time.perf_counter() - start
        for c in clients:
            c.close()
        under_load = [ms for per in loads for ms in per]
        return {
            "remote_signin_ms": round(statistics.median(signins), 1),
            "remote_search_p50_ms": _percentile(times, 50),
            "remote_search_p95_ms": _percentile(times, 95),
            "service_searches_per_s": round(len(under_load) / elapsed, 1),
            "service_p95_under_load_ms": _percentile(under_load, 95),
            "service_clients": CLIENTS,
        }
    finally:
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(*sys.argv[2:5])
