"""Nothing withheld ever leaves the engine (R-SHIELD-1, R-SHIELD-4, R-SHIELD-6, R-SENS-3, R-SENS-4), as a property.

Hypothesis draws a household of one to three children (its LA, the first shielded at creation or not, former
names; brothers and sisters share the address, the carers, the school and the GP), then a sequence of operations
by random users on any of them: shields requested after creation (the LA team shielding siblings in the same
step), reviews that keep or lift them and decide about the siblings a shield holds, child-protection overrides,
sensitive and ordinary involvements recorded, brokered contact requested and decided. After each step a model
says what every user is entitled to see, and every READ operation (search, view_record, inbox,
my_contact_requests, shield_reviews, contact_queue, alerts, override) is run for every user on every child of
the household; its answer, wire-encoded as it would cross the network (or the refusal), must not contain one
withheld string: address, postcode, town, carers, setting, GP, former names; a sensitive involvement's
organisation, practitioner, phone and e-mail; whatever a shield hides of other people's involvements; and, on a
sibling a shield holds (issue 13 §3.1, R-SHIELD-1/2), the household's shared address, carers, school and GP.

Run on the engine directly with many examples, and with fewer on BOTH implementations through the contract
fixtures (the remote one over real HTTPS).
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import directory_id, wire
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import (
    AccessReason,
    Colleague,
    ConsentBy,
    Involvement,
    Reason,
    Role,
    ServiceType,
    Viewer,
    WithheldInvolvement,
)
from app.refusals import Refusal
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for

MONITORING = Reason(AccessReason.LA_MONITORING)
SAFEGUARDING = Reason(AccessReason.SAFEGUARDING_ENQUIRY)
ACTORS = ("alex", "sam", "morgan", "jo")
USERNAMES = {"alex": "alex.practitioner", "sam": "sam.cp", "morgan": "morgan.mediator", "jo": "jo.la"}
SENSITIVE = (ServiceType.CAMHS, ServiceType.SEXUAL_HEALTH, ServiceType.SUBSTANCE_MISUSE)
_serial = itertools.count(1)


# -- the model: who may see what --------------------------------------------------------------------------
@dataclass
class Inv:
    recorder: str  # username; "" for someone who is not a directory user
    markers: set[str]
    sensitive: bool


@dataclass
class Child:
    did: str
    la: str
    shielded: bool
    whereabouts: set[str]  # R-SHIELD-1: withheld from most users while shielded
    involvements: list[Inv] = field(default_factory=list)
    shared: set[str] = field(default_factory=set)  # of the whereabouts, what the household shares (a sibling's too)
    household: list[Child] = field(default_factory=list, repr=False)  # every child of the household, this one too
    epoch: int = 0  # bumped each time a shield is set: a decision holds for the shield as it was set
    decided: set[tuple[str, int]] = field(default_factory=set)  # (shielded sibling, its epoch): no shield needed

    def holders(self) -> list[Child]:
        """The shielded siblings whose shield holds this child's shared details (issue 13 §3.1)."""
        if self.shielded:
            return []
        return [s for s in self.household if s is not self and s.shielded and (s.did, s.epoch) not in self.decided]


def forbidden(children: list[Child], viewer: Viewer, override: Child | None = None) -> set[str]:
    """Every string ``viewer`` may not receive now. ``override``: the child of a child-protection override's own
    answer, which shows its whereabouts (shared with its siblings) but never sensitive involvements (R-SHIELD-6,
    R-SENS-3)."""
    out: set[str] = set()
    me, role, la = viewer.user.username, viewer.user.role, viewer.user.la_code
    for c in children:
        own_team = role is Role.LA_MANAGEMENT and la == c.la
        if own_team:
            continue
        hidden = c.shielded and c is not override
        if hidden:
            # R-SHIELD-1/2 (issue 13 §3.1): what the household shares shows on a sibling the LA team decided needs
            # no shield of its own for this shield as now set, so only the rest stays withheld for it
            released = any(s is not c and not s.shielded and (c.did, c.epoch) in s.decided for s in c.household)
            out |= c.whereabouts - c.shared if released else c.whereabouts
        elif c.holders():  # R-SHIELD-1/2: a held sibling shows nothing of the household's whereabouts
            out |= c.shared
        for inv in c.involvements:
            if inv.recorder == me:
                continue
            if inv.sensitive or hidden:
                out |= inv.markers
    if override is not None:
        out -= override.whereabouts
    return out


def _leaks(answer, banned: set[str]) -> list[str]:
    if isinstance(answer, Refusal):
        text = json.dumps({"code": answer.code, "field": answer.field, "params": answer.params}, default=str)
    else:
        text = json.dumps(wire.encode(answer))
    low = text.lower()
    return sorted(m for m in banned if m and m.lower() in low)


# -- two ways to reach a directory --------------------------------------------------------------------------
class Engine:
    def __init__(self, d) -> None:
        self.d = d

    def sign_in(self, username: str, colleague=None) -> Viewer:
        return viewer_for(self.d, username, colleague)

    def call(self, fn, *args):
        try:
            return fn(*args)
        except Refusal as exc:
            return exc

    def search(self, v, did, reason):
        return self.call(self.d.search, v, Criteria(directory_id=did), reason)

    def view(self, v, did, reason):
        return self.call(self.d.view_record, v, did, reason)

    def perform(self, op, v, req):
        return self.call(self.d.perform, op, v, req)


class Remote(Engine):
    """Either implementation of the directory interface (futures)."""

    def __init__(self, directory_client) -> None:
        self.client = directory_client

    def sign_in(self, username: str, colleague=None) -> Viewer:
        from tests.contract.test_directory_contract import viewer
        return viewer(self.client, username, colleague)

    def call(self, fn, *args):
        future = fn(*args)
        exc = future.exception(timeout=60)
        return exc if isinstance(exc, Refusal) else future.result()

    def search(self, v, did, reason):
        return self.call(self.client.search, v, Criteria(directory_id=did), reason)

    def view(self, v, did, reason):
        return self.call(self.client.view_record, v, did, reason)

    def perform(self, op, v, req):
        return self.call(self.client.perform, op, v, req)


# -- the run ---------------------------------------------------------------------------------------------
MEMBER = st.integers(0, 2)  # which child of the household a step is about (modulo its size)
CHOICES = st.lists(st.sampled_from((None, True, False)), min_size=3, max_size=3)  # per sibling: skip, shield, not
steps = st.one_of(
    st.tuples(st.just("shield"), MEMBER, st.sampled_from(ACTORS), st.sampled_from(list(t.ShieldGround)), CHOICES),
    st.tuples(st.just("review"), MEMBER, st.sampled_from(list(t.ReviewOutcome)), CHOICES),
    st.tuples(st.just("sensitive"), MEMBER, st.sampled_from(("alex", "sam")), st.sampled_from(SENSITIVE)),
    st.tuples(st.just("ordinary"), MEMBER, st.sampled_from(("alex", "sam"))),
    st.tuples(st.just("override"), MEMBER, st.sampled_from(ACTORS), st.booleans()),
    st.tuples(st.just("contact"), MEMBER, st.sampled_from(("alex", "sam", "morgan"))),
    st.tuples(st.just("decide"), MEMBER, st.sampled_from((t.ContactStatus.PASSED_ON, t.ContactStatus.DECLINED))),
)


class World:
    def __init__(self, via: Engine, colleague: Colleague) -> None:
        self.via = via
        self.children: list[Child] = []
        self.who = {a: via.sign_in(USERNAMES[a], colleague if a == "morgan" else None) for a in ACTORS}

    def reason(self, actor: str) -> Reason:
        return MONITORING if actor == "jo" else SAFEGUARDING

    def found(self, actor: str, child: Child):
        return self.via.search(self.who[actor], child.did, self.reason(actor))

    # each step: do it, and change the model only if the directory did it
    def step(self, child: Child, s: tuple) -> None:
        kind, member, *args = s
        household = child.household or [child]
        getattr(self, f"_{kind}")(household[member % len(household)], *args)
        for c in household:
            self.check(c)

    @staticmethod
    def _set_shield(child: Child) -> None:
        if not child.shielded:
            child.shielded, child.epoch = True, child.epoch + 1

    def _shield(self, child, actor, ground, choices):
        """The LA team (jo) of the child's own LA may shield the siblings in the same step (issue 13 §3.1)."""
        self.found(actor, child)
        others = [c for c in child.household if c is not child]
        also = [c for c, choice in zip(others, choices) if choice] if actor == "jo" and child.la == "NBR" else []
        got = self.via.perform(ops.REQUEST_SHIELD, self.who[actor], t.ShieldRequest(
            child.did, ground, self.reason(actor), tuple(c.did for c in also)))
        if not isinstance(got, Refusal):
            for c in (child, *also):
                self._set_shield(c)
        else:
            assert actor == "morgan", got  # R-SHIELD-2: any practitioner or the LA team, never a mediating user

    def _review(self, child, outcome, choices):
        """Keep or lift; keeping, decide about each sibling the household's shields hold: shield too or not."""
        others = [c for c in child.household if c is not child]
        keep = outcome is t.ReviewOutcome.KEEP
        decided = [(c, choice) for c, choice in zip(others, choices) if keep and choice is not None and not c.shielded]
        got = self.via.perform(ops.REVIEW_SHIELD, self.who["jo"], t.ShieldReview(
            child.did, outcome, tuple(t.SiblingDecision(c.did, choice) for c, choice in decided)))
        if isinstance(got, Refusal):
            assert got.code == "shield.not_reviewable" and (not child.shielded or child.la != "NBR"), got
            return
        if outcome is t.ReviewOutcome.LIFT:
            child.shielded = False
            return
        for c, choice in decided:
            if choice:
                self._set_shield(c)
        for c, choice in decided:
            if not choice:
                c.decided |= {(s.did, s.epoch) for s in c.holders()}

    def _record(self, child, actor, service, sensitive):
        n = next(_serial)
        org, phone, email = f"Hideorg{n:05d} Service", f"0113 496 {n:04d}", f"hideorg{n:05d}@service.example"
        self.found(actor, child)
        # R-REC-5: an organisation from the register (the LA team adds each one, listed at once)
        self.via.perform(ops.ASK_REGISTER, self.who["jo"], t.RegisterAsk(t.RegisterKind.ORGANISATION, org))
        got = self.via.perform(ops.RECORD_INVOLVEMENT, self.who[actor], t.NewInvolvement(
            child.did, service, org, ROLE_TITLES[service][0], phone, email, TODAY - timedelta(days=1),
            self.reason(actor),
            consent=t.Consent(ConsentBy.CHILD, TODAY - timedelta(days=1)) if sensitive else None))
        if not isinstance(got, Refusal):
            child.involvements.append(Inv(USERNAMES[actor], {org, phone, email}, sensitive))

    def _sensitive(self, child, actor, service):
        self._record(child, actor, service, True)

    def _ordinary(self, child, actor):
        self._record(child, actor, ServiceType.EDUCATION_WELFARE, False)

    def _override(self, child, actor, warning_seen):
        self.found(actor, child)
        v = self.who[actor]
        got = self.via.perform(ops.OVERRIDE_SHIELD, v, t.ShieldOverride(child.did, self.reason(actor), warning_seen))
        allowed = actor == "sam" and warning_seen and child.shielded
        assert isinstance(got, Refusal) != allowed, got  # R-SHIELD-6: child protection, after the warning
        leaks = _leaks(got, forbidden(self.children, v, override=child if allowed else None))
        assert not leaks, f"override_shield answered {actor} with withheld {leaks}"

    def _contact(self, child, actor):
        v = self.who[actor]
        self.found(actor, child)
        view = self.via.view(v, child.did, self.reason(actor))
        if isinstance(view, Refusal):
            return
        withheld = [i.involvement_id for i in view.involvements if isinstance(i, WithheldInvolvement)]
        iid = 0 if view.shield_applied else (withheld[0] if withheld else 0)
        self.via.perform(ops.REQUEST_CONTACT, v, t.ContactRequest(child.did, iid, "0191 555 0100",
                                                                  "asker@example.org", self.reason(actor)))

    def _decide(self, child, outcome):
        queue = self.via.perform(ops.CONTACT_QUEUE, self.who["jo"], t.Nothing())
        if queue and not isinstance(queue, Refusal):
            self.via.perform(ops.DECIDE_CONTACT, self.who["jo"], t.ContactDecision(queue[0].request_id, outcome))

    def check(self, child: Child) -> None:
        """Every read, by every user: nothing they are not entitled to."""
        for actor, v in self.who.items():
            banned = forbidden(self.children, v)
            reason = self.reason(actor)
            answers = {"search": self.found(actor, child), "view_record": self.via.view(v, child.did, reason),
                       "inbox": self.via.perform(ops.INBOX, v, t.Nothing()),
                       "my_contact_requests": self.via.perform(ops.MY_CONTACT_REQUESTS, v, t.Nothing())}
            if actor == "jo":
                for op in (ops.SHIELD_REVIEWS, ops.CONTACT_QUEUE, ops.ALERTS):
                    answers[op.name] = self.via.perform(op, v, t.Nothing())
            for name, answer in answers.items():
                leaks = _leaks(answer, banned)
                assert not leaks, f"{name} answered {actor} with withheld {leaks}"


def _fresh_household(d, la: str, shielded: bool, former: bool, siblings: int) -> list[Child]:
    """A child and ``siblings`` brothers and sisters: every withheld detail a string found nowhere else in the
    directory. The household's address, carer, school and GP are shared by all of them."""
    from tests.conftest import add_sibling
    n = next(_serial)
    conn = d.conn
    postcode, line1, town, former_name = f"HZ{n:04d} 1AA", f"{n} Hideaddr{n:05d} Lane", f"Hidetown{n:05d}", \
        f"Hideformer{n:05d}"
    did = add_child(d, "Tess", f"Visible{n:05d}", date(2014, 1, 1) + timedelta(days=n % 2000), postcode=postcode,
                    la_code=la, other_names=[("Tess", former_name)] if former else (), shielded=shielded)
    cid, hid = conn.execute("SELECT id, household_id FROM children WHERE directory_id = ?",
                            (directory_id.parse(did),)).fetchone()
    conn.execute("UPDATE households SET line1 = ?, town = ? WHERE id = ?", (line1, town, hid))
    carer, carer_phone = f"Hidecarer{n:05d}", f"0113 497 {n:04d}"
    conn.execute("INSERT INTO carers VALUES ((SELECT max(id) + 1 FROM carers),?,?,?,?,?,?,?,?,?)",
                 (hid, "Pat", carer, "Mother", carer_phone, line1, "", town, postcode))
    setting, setting_phone = f"Hidesetting{n:05d} School", f"0113 498 {n:04d}"
    sid = conn.execute("SELECT max(id) + 1 FROM settings").fetchone()[0]
    conn.execute("INSERT INTO settings VALUES (?,?,?,?,?,?,?,?,?)",
                 (sid, "primary", setting, f"Hidesetaddr{n:05d}", "", town, postcode, setting_phone, la))
    gp, gp_phone = f"Hidegp{n:05d} Surgery", f"0113 499 {n:04d}"
    gid = conn.execute("SELECT max(id) + 1 FROM gp_practices").fetchone()[0]
    conn.execute("INSERT INTO gp_practices VALUES (?,?,?,?,?,?,?)", (gid, gp, f"Hidegpaddr{n:05d}", "", town,
                                                                     postcode, gp_phone))
    shared = {postcode, line1, town, carer, carer_phone, setting, setting_phone, gp, gp_phone,
              f"Hidesetaddr{n:05d}", f"Hidegpaddr{n:05d}"}
    dids = [did] + [add_sibling(d, did, given, date(2012, 5, 5) + timedelta(days=(n + k) % 2000))
                    for k, given in enumerate(("Wren", "Ansel")[:siblings])]
    household: list[Child] = []
    for k, member in enumerate(dids):
        conn.execute("UPDATE children SET setting_id = ?, gp_id = ? WHERE directory_id = ?",
                     (sid, gid, directory_id.parse(member)))
        child = Child(member, la, shielded and k == 0, shared | ({former_name} if former and k == 0 else set()),
                      shared=set(shared), household=household)
        _sensitive_elsewhere(conn, member, child)
        household.append(child)
    for member in dids:  # indexed as the engine indexes a household, now that it is complete
        from app import records
        records.reindex_household(d.store, conn, records.child_id_for(d.store, member))
    return household


def _sensitive_elsewhere(conn, did: str, child: Child) -> None:
    """A sensitive involvement recorded by someone who is not a directory user (R-SENS-3)."""
    cid = conn.execute("SELECT id FROM children WHERE directory_id = ?", (directory_id.parse(did),)).fetchone()[0]
    m = next(_serial)
    sens = (f"Hidesens{m:05d} Clinic", f"Hideprac{m:05d} Smith", f"0113 496 {m:04d}", f"hidesens{m:05d}@nhs.example")
    conn.execute("INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, "
                 "started, recorded_by, consent_by, consent_on) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                 (cid, ServiceType.SEXUAL_HEALTH.value, *sens[:2], "Nurse", *sens[2:], TODAY.toordinal() - 30,
                  "staff-elsewhere", "child", TODAY.toordinal() - 30))
    child.involvements.append(Inv("staff-elsewhere", set(sens), True))


def _registered_colleague(conn) -> Colleague:
    row = conn.execute("SELECT username, display_name, organisation FROM users WHERE role = 'colleague' "
                       "AND la_code = 'NBR' AND enabled = 1 ORDER BY username LIMIT 1").fetchone()
    return Colleague(row[1], row[2], row[0])


def test_nothing_withheld_ever_leaves_the_engine(directory):
    """Many examples on the engine itself: fresh children with unique withheld strings, in two LAs."""
    for name in ("searches_per_minute", "searches_per_hour", "children_opened_per_day"):
        directory.set_limit(name, 10**8, by="test")
    sim = World(Engine(directory), _registered_colleague(directory.conn))

    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(la=st.sampled_from(("NBR", "ASH")), shielded=st.booleans(), former=st.booleans(),
           siblings=st.integers(0, 2), plan=st.lists(steps, min_size=1, max_size=7))
    def run(la, shielded, former, siblings, plan):
        household = _fresh_household(directory, la, shielded, former, siblings)
        sim.children.extend(household)
        for child in household:
            sim.check(child)
        for s in plan:
            sim.step(household[0], s)

    run()


# -- both implementations, through the interface ----------------------------------------------------------
from tests.contract.conftest import client, facts, service_tls, world  # noqa: E402,F401  the contract fixtures


@pytest.fixture
def search_limit() -> int:
    return 10**6  # the property runs many searches a minute; the rate limit is tested elsewhere


def _learn(via: Remote, la_team: Viewer, did: str) -> tuple[set[str], list[Inv]]:
    """What the LA team sees of a child: the strings a shield or R-SENS-3 withholds from others."""
    assert not isinstance(via.search(la_team, did, MONITORING), Refusal)
    view = via.view(la_team, did, MONITORING)
    where = {view.address.line1, view.address.postcode, view.address.town}
    where |= {n.family_name for n in view.other_names}
    for c in view.carers:
        where |= {c.name.family_name, c.phone}
    if view.setting:
        where |= {view.setting.name, view.setting.phone}
    if view.gp:
        where |= {view.gp.name, view.gp.phone}
    invs = [Inv("", {i.organisation, i.practitioner, i.phone, i.email} - {""}, i.service.sensitive)
            for i in view.involvements if isinstance(i, Involvement)]
    # what stays visible on a shielded record (R-SHIELD-1) is no secret: a carer or a former name may share the
    # child's family name
    visible = {view.name.given_names, view.name.family_name, view.directory_id}
    return {w for w in where if w and w not in visible}, invs


def test_nothing_withheld_leaves_either_implementation(client, facts):
    """Fewer examples, on the embedded directory and over HTTPS to the service: the children the contract
    directory holds (one shielded at build, one not, with a sensitive involvement), changed by the same steps."""
    via = Remote(client)
    la = via.sign_in("jo.la")
    first = client.perform(ops.COLLEAGUES, la, t.Nothing()).result(timeout=60)[0]
    sim = World(via, Colleague(first.name, first.organisation, first.username))
    plain, shielded = facts.plain["did"], facts.shielded["did"]
    learned = {did: _learn(via, sim.who["jo"], did) for did in (plain, shielded)}
    # a string both children share (a GP practice, a school) is not a secret of either
    shared = set.intersection(*(w | set().union(*(i.markers for i in invs)) for w, invs in learned.values()))
    # the users' own names and organisations are shown as who asked, who told: not a secret of any child
    shared |= {x for v in sim.who.values() for x in (v.user.display_name, v.user.organisation)}
    for did, is_shielded in ((plain, False), (shielded, True)):
        where, invs = learned[did]
        sim.children.append(Child(did, "NBR", is_shielded, where - shared,
                                  [Inv(i.recorder, i.markers - shared, i.sensitive) for i in invs]))
    by_did = {c.did: c for c in sim.children}

    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(which=st.sampled_from((plain, shielded)), plan=st.lists(steps, min_size=1, max_size=5))
    def run(which, plan):
        child = by_did[which]
        sim.check(child)
        for s in plan:
            sim.step(child, s)

    run()
