"""Sign-in and locking figures on a real SoftHSM token and the real keyring.

signin_ms: PIN login + challenge signature + signature verification + cache
key unwrap + cache open (the token and cache steps alone); signin_total_ms:
the whole sign-in as the app makes it (``SessionManager.sign_in``: those steps
plus the directory's Argon2id password check, its audit entry and the audit
log check); password_check_ms: the Argon2id check alone. Each a median.
lock_after_removal_ms: token folder removed -> removal seen by the token
service (it polls once a second, as in the app) -> session locked (cache
closed, token session closed, lock audited).
"""
from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
import uuid
from pathlib import Path

from app import db, generator, training
from app.directory import Directory, EmbeddedDirectory
from app.keystore import SecureKeyStore
from app.passwords import hash_password, verify_password
from app.paths import Paths
from app.session import Session, SessionManager
from app.token.provision import provision_softhsm_token
from app.token.service import TokenService
from app.token.signin import signin_message, verify_signin

PIN = "bench-pin-1"
PASSWORD = "training-only-2026"


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def figures(tmp: Path, runs: int = 15, lock_runs: int = 5) -> dict:
    tokendir = tmp / "tokens"
    tokendir.mkdir()
    conf = tmp / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # before the module is loaded in this process
    made = provision_softhsm_token("bench", "bench-so-pin", PIN, conf=conf)
    path, key = tmp / "directory.db", db.new_key()
    generator.generate(path, key, children=1000)
    directory = EmbeddedDirectory(lambda: Directory.open(path, key))
    directory.run_on_engine(lambda d: d.enrol_token("alex.practitioner", made.serial, made.keys.sign_public_der,
                  made.keys.wrap_public_der, "bench")).result(30)
    tokens = TokenService(training.SOFTHSM_MODULE, poll_interval=1.0)
    tokens.start().result(30)
    store = SecureKeyStore(service=f"signpost-bench-{uuid.uuid4().hex[:8]}")
    sessions = SessionManager(directory, tokens, store, Paths(tmp / "data", tmp / "config"))
    user = directory.run_on_engine(lambda d: d.user("alex.practitioner")).result(10)
    serial, sign_der = made.serial, made.keys.sign_public_der
    try:
        sessions.sign_out(sessions.sign_in(user.username, PASSWORD, serial, PIN).result(60)).result(30)  # warm
        steps, totals = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            tokens.login(serial, PIN).result(10)
            challenge = directory.challenge().result(10)
            message = signin_message("sign-in", serial, challenge)
            signature = tokens.sign(serial, message).result(10)
            assert verify_signin(sign_der, message, signature)
            session = Session(user, serial, made.keys.wrap_public_der)
            session.cache = sessions._open_cache(session)
            steps.append(_ms(t0))
            sessions.sign_out(session).result(30)
            t0 = time.perf_counter()
            session = sessions.sign_in(user.username, PASSWORD, serial, PIN).result(60)
            totals.append(_ms(t0))
            sessions.sign_out(session).result(30)
        stored = hash_password(PASSWORD)
        checks = []
        for _ in range(runs):
            t0 = time.perf_counter()
            verify_password(stored, PASSWORD)
            checks.append(_ms(t0))
        password_ms = statistics.median(checks)
        locks = []
        for _ in range(lock_runs):
            session = sessions.sign_in(user.username, PASSWORD, serial, PIN).result(60)
            gone = threading.Event()
            tokens.subscribe(lambda e, s=serial, g=gone: e.kind == "removed" and e.token.serial == s and g.set())
            src = next(d for d in tokendir.iterdir() if serial.encode() in (d / "token.object").read_bytes())
            aside = tmp / "aside"
            t0 = time.perf_counter()
            shutil.move(str(src), str(aside))
            gone.wait(10)
            sessions.lock(session, "token removed").result(30)
            locks.append(_ms(t0))
            shutil.move(str(aside), str(src))
            deadline = time.monotonic() + 10
            while serial not in [t.serial for t in tokens.tokens().result(10)] and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        sessions.close()
        tokens.shutdown()
        directory.close()
        store.delete_now(f"localcache-key:{user.username}")
        store.close()
    return {
        "signin_ms": round(statistics.median(steps), 1),
        "signin_total_ms": round(statistics.median(totals), 1),
        "password_check_ms": round(password_ms, 1),
        "lock_after_removal_ms": round(statistics.median(locks), 1),
        "lock_after_removal_max_ms": round(max(locks), 1),
    }
