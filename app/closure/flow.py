"""The closure reset of one token as data (R-CLOSE-2), like Electrum's navmap.

``NAVMAP`` maps each step's name to a function that does the step's work and
returns the name of the next step; a step with no function ends the flow.  The
flow asks the user only through ``Prompts`` (PIN, yes/no, a message), so plain
pytest answers with a script and the Qt pages attach the same way.  The flow
keeps what it knows in ``ResetState``, a plain dataclass that round-trips
through JSON so a later session can persist it and resume after a crash.

    choose_path -> holder_reset | la_reset -> verify -> done
    failures: so_blocked ("cannot reset: return as blocked", recorded),
              pulled ("token pulled: nothing recorded"),
              transport_rejected (the token's rules refuse the transport PIN),
              not_verified, cancelled, failed

Only ``done`` (record "verified") and ``so_blocked`` (record "returned_blocked")
set ``state.record``; every other ending records nothing.  PINs are asked for
when needed and never kept in the state.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Protocol

from app.closure.reset import TRANSPORT_PIN, ResetOutcome, ResetResult, TokenReset, TokenState

T = 30  # seconds to wait for one token call


class Prompts(Protocol):
    def ask_pin(self, purpose: str) -> str | None:
        """A PIN for ``purpose``; None if the user cancels."""

    def confirm(self, question: str) -> bool: ...

    def tell(self, message: str) -> None: ...


HOLDER, LA_TEAM = "holder", "la_team"


@dataclass
class ResetState:
    serial: str
    transport_pin: str = TRANSPORT_PIN  # from the closure plan (public, not a secret)
    step: str = "choose_path"
    path: str | None = None  # HOLDER or LA_TEAM; set beforehand, choose_path asks nothing
    outcome: str | None = None  # the last ResetOutcome value
    message: str = ""
    record: str | None = None  # "verified" | "returned_blocked" | None (nothing recorded)
    ending: str | None = None  # the ending step reached, e.g. "done", "pulled"
    history: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ResetState:
        return cls(**json.loads(text))


class ResetFlow:
    """Walks ``NAVMAP`` for one token."""

    def __init__(self, state: ResetState, tokens: TokenReset, prompts: Prompts) -> None:
        self.state = state
        self.tokens = tokens
        self.prompts = prompts

    def run(self, max_steps: int = 50) -> ResetState:
        """Run from ``state.step`` to an ending (also resumes a saved state)."""
        for _ in range(max_steps):
            if not self.advance():
                return self.state
        raise RuntimeError(f"closure flow did not end within {max_steps} steps")

    def advance(self) -> bool:
        """Do the current step; False once the flow has ended."""
        act = NAVMAP[self.state.step]
        if act is None:
            return False
        self.state.history.append(self.state.step)
        self.state.step = act(self)
        return NAVMAP[self.state.step] is not None

    # helpers for the steps
    def token_state(self) -> TokenState | None:
        return self.tokens.state(self.state.serial).result(T)

    def note(self, result: ResetResult) -> ResetResult:
        self.state.outcome, self.state.message = result.outcome.value, result.message
        return result


# ------------------------------------------------------------------ steps
def _choose_path(flow: ResetFlow) -> str:
    ts = flow.token_state()
    if ts is None:
        return "pulled"
    if ts.user_pin_locked:
        flow.prompts.tell("This token's PIN is blocked; the LA team resets it with the "
                          "security officer PIN.")
        flow.state.path = LA_TEAM
        return "la_reset"
    if flow.state.path in (HOLDER, LA_TEAM):  # chosen beforehand (a batch): no question
        return "holder_reset" if flow.state.path == HOLDER else "la_reset"
    holder = flow.prompts.confirm("Is the token's holder here to type the current PIN? "
                                  "(No: the LA team resets it with the security officer PIN.)")
    flow.state.path = HOLDER if holder else LA_TEAM
    return "holder_reset" if holder else "la_reset"


def _holder_reset(flow: ResetFlow) -> str:
    pin = flow.prompts.ask_pin("the token's current PIN")
    if pin is None:
        return "cancelled"
    r = flow.note(flow.tokens.holder_reset(flow.state.serial, pin, flow.state.transport_pin).result(T))
    if r.outcome is ResetOutcome.WRONG_OLD_PIN:
        flow.prompts.tell(r.message)
        if flow.prompts.confirm("Try the PIN again?"):
            return "holder_reset"
        flow.state.path = None  # ask again which way
        return "choose_path"
    if r.outcome is ResetOutcome.USER_PIN_BLOCKED:
        flow.prompts.tell(r.message)
        if flow.prompts.confirm("Reset it now with the security officer PIN?"):
            flow.state.path = LA_TEAM
            return "la_reset"
        return "cancelled"
    return _common(r)


def _la_reset(flow: ResetFlow) -> str:
    ts = flow.token_state()
    if ts is None:
        return "pulled"
    if ts.so_pin_locked:
        flow.note(ResetResult(ResetOutcome.SO_PIN_BLOCKED, "The security officer PIN is blocked."))
        return "so_blocked"
    if ts.so_pin_final_try or ts.so_pin_count_low:
        left = "ONE try" if ts.so_pin_final_try else "only a few tries"
        if not flow.prompts.confirm(f"The security officer PIN has {left} left before it is "
                                    "blocked for good. Enter it now?"):
            return "cancelled"
    pin = flow.prompts.ask_pin("the security officer PIN")
    if pin is None:
        return "cancelled"
    r = flow.note(flow.tokens.la_reset(flow.state.serial, pin, flow.state.transport_pin).result(T))
    if r.outcome is ResetOutcome.SO_PIN_WRONG:
        flow.prompts.tell(r.message)
        return "la_reset" if flow.prompts.confirm("Try the security officer PIN again?") else "cancelled"
    return _common(r)


def _common(r: ResetResult) -> str:
    return {
        ResetOutcome.RESET: "verify",
        ResetOutcome.SO_PIN_BLOCKED: "so_blocked",
        ResetOutcome.TRANSPORT_PIN_REJECTED: "transport_rejected",
        ResetOutcome.TOKEN_PULLED: "pulled",
    }.get(r.outcome, "failed")


def _verify(flow: ResetFlow) -> str:
    r = flow.note(flow.tokens.verify(flow.state.serial, flow.state.transport_pin).result(T))
    return {ResetOutcome.VERIFIED: "done", ResetOutcome.TOKEN_PULLED: "pulled",
            ResetOutcome.NOT_VERIFIED: "not_verified"}.get(r.outcome, "failed")


def _ending(name: str, record: str | None, words: str) -> Callable[[ResetFlow], str]:
    def end(flow: ResetFlow) -> str:
        flow.state.ending, flow.state.record = name, record
        flow.prompts.tell(f"{words} {flow.state.message}".strip())
        return "end"
    return end


NAVMAP: dict[str, Callable[[ResetFlow], str] | None] = {
    "choose_path": _choose_path,
    "holder_reset": _holder_reset,
    "la_reset": _la_reset,
    "verify": _verify,
    "done": _ending("done", "verified", "Reset verified."),
    "so_blocked": _ending("so_blocked", "returned_blocked", "Cannot reset: return as blocked."),
    "pulled": _ending("pulled", None, "Token pulled: nothing recorded."),
    "transport_rejected": _ending("transport_rejected", None, "The token's rules reject the transport PIN."),
    "not_verified": _ending("not_verified", None, "The reset could not be verified: nothing recorded."),
    "cancelled": _ending("cancelled", None, "Cancelled: nothing recorded."),
    "failed": _ending("failed", None, "The reset failed: nothing recorded."),
    "end": None,
}
