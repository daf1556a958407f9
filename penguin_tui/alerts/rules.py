"""Local alert rules: the ``[[rule]]`` tables evaluated over what the recorder records.

The recorder hands every batch it writes to ``RuleEngine.observe`` and asks ``evaluate`` for
the firing alerts after each flush (every 1-3 s). The work is proportional to what changed,
not to what is configured: readings reach only the rules of their item (rules are indexed by
item key, a "*" rule is one entry per item), "for" timers are checked only while some
condition is pending, and staleness deadlines wait in a heap. When nothing changed,
``evaluate`` returns the very same list as before, so the caller can skip its own work too.

Semantics, per (rule, item):

- threshold: the item's value is strictly above ``above`` (or below ``below``). A reading
  without a value (a failed fetch) leaves the condition as it was: the fetch failure is the
  business of state and stale rules, and a brief Prometheus hiccup must not restart "for".
- state: the item's status is ``status``. The condition began when the item entered that
  status (``ItemState.since`` from the cache after a restart, so a restart does not restart
  "for"); it is judged again only once a fresh reading confirms the status.
- stale: no sample of the item (``<key>`` or ``<key>:up``) for ``intervals`` x its poll
  interval. Time without data counts from the newest sample, in the cache too, so
  ``starts_at`` (last sample + window) and ``{age}`` stay true across a restart; but the
  rule fires no sooner than a window after the recorder began watching the item, so a
  recorder that was down for a night does not call everything stale before its first polls.

A firing alert is held until its condition ends. A maintenance window covering the item
marks the alert ``silenced_by=("maint:<id>",)``: muted, never hidden.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.model import Alert, AlertSource, MaintenanceWindow
from penguin_tui.alerts.rule_text import default_summary, fields, fill
from penguin_tui.config_model import RuleConfig
from penguin_tui.model import Batch, ItemInfo, ItemState, Reading, Status
from penguin_tui.text import sanitize

SOURCE_LABEL = "penguin-tui"  # the ``source`` label of every local alert
ORIGIN = "local"
_MAX_LABEL = 200


@dataclass(eq=False, slots=True)
class _Instance:
    """One rule about one item: its condition's progress and, while firing, its alert."""

    rule: RuleConfig
    summary: str
    item: ItemInfo
    labels: dict[str, str]
    fingerprint: str
    since: float | None = None  # when the condition began (pending or firing)
    firing: bool = False
    value: float | None = None  # what the latest reading said
    status: Status | None = None
    age_s: float = 0.0  # the {age} of the alert: how long the condition held when it fired
    last_data: float = -math.inf  # stale rules: the newest sample, or when watching began
    watch_from: float = -math.inf  # stale rules: when this recorder began watching the item
    scheduled: bool = False  # stale rules: a deadline is in the heap
    alert: Alert | None = None  # as built from the rule
    shown: Alert | None = None  # with maintenance marks: what evaluate returns

    @property
    def window_s(self) -> float:
        return self.rule.intervals * self.item.interval_s

    @property
    def stale_deadline(self) -> float:
        """When a stale rule fires: a window after the last data, but never sooner than a
        window after watching began (a restarted recorder first gives every item a chance)."""
        return max(self.last_data, self.watch_from) + self.window_s


def _since(inst: _Instance, now: float) -> float:
    return inst.since if inst.since is not None else now


class RuleEngine:
    """Evaluates local rules; see the module docstring for what each kind means."""

    def __init__(
        self, rules: Sequence[RuleConfig], *, clock: Callable[[], float] = time.time
    ) -> None:
        self._rules = tuple(rules)
        self._clock = clock
        self._items: dict[str, ItemInfo] = {}
        self._judged: dict[str, list[_Instance]] = {}  # threshold and state rules, by item key
        self._stale: dict[str, list[_Instance]] = {}  # stale rules, by item key
        self._status: dict[str, tuple[Status, float]] = {}  # item key -> (status, since)
        self._last_data: dict[str, float] = {}  # item key -> newest sample ts
        self._pending: set[_Instance] = set()  # condition holds, "for" not yet met
        self._fresh: set[_Instance] = set()  # firing stale instances that got data again
        self._touched: set[_Instance] = set()  # firing instances whose value/status moved
        self._heap: list[tuple[float, int, _Instance]] = []  # stale deadlines
        self._seq = itertools.count()
        self._active: dict[_Instance, None] = {}  # firing, in the order they fired
        self._unseen: set[str] = set()  # items with judged rules and no reading yet
        self._fingerprints: set[str] = set()  # of every (rule, item), firing or not
        self._windows: tuple[MaintenanceWindow, ...] = ()
        self._changed = False
        self._output: list[Alert] = []
        self.version = 0  # goes up whenever evaluate's answer changes

    @property
    def rules(self) -> tuple[RuleConfig, ...]:
        return self._rules

    def owns(self, fingerprint: str) -> bool:
        """True when a rule of this engine makes alerts with ``fingerprint`` (one pushed to
        Alertmanager comes back from it: the engine, not the echo, says whether it fires)."""
        return fingerprint in self._fingerprints

    @property
    def settled(self) -> bool:
        """True once every item with a threshold or state rule has been read at least once.

        Until then the firing set is partial: an alert that fired before a restart is not
        confirmed yet, and recording the partial set would resolve it only to re-open it.
        """
        return not self._unseen

    # ------------------------------------------------------------------ inputs

    def seed(
        self,
        states: Mapping[str, ItemState],
        last_sample_ts: Mapping[str, float],
        items: Sequence[ItemInfo],
    ) -> None:
        """Continue from the cache after a restart: statuses with their ``since`` and the
        newest sample of each series; then watch ``items``."""
        for key, state in states.items():
            # STALE is how readers see old data, not a status the recorder was in.
            if state.status is not Status.STALE:
                self._status[key] = (state.status, state.since)
        for key, ts in last_sample_ts.items():
            key = key.removesuffix(":up")
            if ts > self._last_data.get(key, -math.inf):
                self._last_data[key] = ts
        self.set_items(items)

    def set_items(self, items: Sequence[ItemInfo]) -> None:
        """Watch these items (more appear later: host mounts are known after a first sample)."""
        for info in items:
            if info.key in self._items:
                continue
            self._items[info.key] = info
            for rule in self._rules:
                if self._applies(rule, info.key):
                    self._add(rule, info)

    def observe(self, batch: Batch) -> None:
        """Take in one batch of readings and samples, in the order they were taken."""
        for reading in batch.readings:
            if self._unseen:
                self._unseen.discard(reading.key)
            known = self._status.get(reading.key)
            if known is None or known[0] is not reading.status:
                self._status[reading.key] = (reading.status, reading.ts)
            instances = self._judged.get(reading.key)
            if instances:
                for inst in instances:
                    self._judge(inst, reading)
        if not self._stale:
            return
        for sample in batch.samples:
            key = sample.key.removesuffix(":up")
            instances = self._stale.get(key)
            if instances is None or sample.ts <= self._last_data.get(key, -math.inf):
                continue
            self._last_data[key] = sample.ts
            for inst in instances:
                inst.last_data = sample.ts
                if inst.firing:
                    self._fresh.add(inst)

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, now: float, maintenance: Sequence[MaintenanceWindow] = ()) -> list[Alert]:
        """The firing local alerts at ``now``. Pending ones ("for" not yet met) are not in it.

        The list is the same object as last time when nothing changed (do not modify it);
        ``version`` tells a caller that keeps no reference whether it did.
        """
        if self._pending:
            # Pending instances always have ``since`` (0.0 is a valid time: no ``or`` here).
            due = [i for i in self._pending if now - _since(i, now) >= i.rule.for_s]
            for inst in due:
                self._pending.discard(inst)
                self._fire(inst, now, now - _since(inst, now))
        if self._fresh:
            for inst in self._fresh:
                if inst.firing and inst.stale_deadline > now:
                    self._end(inst)
                    self._schedule(inst, inst.stale_deadline)
            self._fresh.clear()
        while self._heap and self._heap[0][0] <= now:
            _, _, inst = heapq.heappop(self._heap)
            inst.scheduled = False
            deadline = inst.stale_deadline
            if deadline > now:
                self._schedule(inst, deadline)  # data came in since: wait for the new deadline
            elif not inst.firing:
                # The truth, even from before a restart: data stopped at last_data.
                inst.since = inst.last_data + inst.window_s
                self._fire(inst, now, now - inst.last_data)
        if self._touched:
            for inst in self._touched:
                if inst.firing:
                    self._build(inst, now)
            self._touched.clear()
        active = tuple(w for w in maintenance if w.active(now))
        if active != self._windows:
            self._windows = active
            for inst in self._active:
                self._mark(inst)
        if self._changed:
            self._changed = False
            self._output = [inst.shown for inst in self._active if inst.shown is not None]
            self.version += 1
        return self._output

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _applies(rule: RuleConfig, key: str) -> bool:
        # The config reader gives keys; a name is accepted too for RuleConfigs built by hand.
        item = rule.item
        return item in ("*", key) or key in (f"check:{item}", f"metric:{item}")

    def _add(self, rule: RuleConfig, info: ItemInfo) -> None:
        labels = {
            "alertname": rule.name,
            "severity": rule.severity,
            "service": sanitize(info.name, single_line=True, max_len=_MAX_LABEL),
            "item": sanitize(info.key, single_line=True, max_len=_MAX_LABEL),
            "source": SOURCE_LABEL,
            **rule.labels,
        }
        inst = _Instance(
            rule=rule,
            summary=rule.summary or default_summary(rule),
            item=info,
            labels=labels,
            fingerprint=fingerprint(labels),
        )
        self._fingerprints.add(inst.fingerprint)
        if rule.kind == "stale":
            inst.watch_from = self._clock()
            inst.last_data = self._last_data.get(info.key, inst.watch_from)
            self._stale.setdefault(info.key, []).append(inst)
            self._schedule(inst, inst.stale_deadline)
        else:
            self._judged.setdefault(info.key, []).append(inst)
            self._unseen.add(info.key)

    def _schedule(self, inst: _Instance, deadline: float) -> None:
        if not inst.scheduled:
            inst.scheduled = True
            heapq.heappush(self._heap, (deadline, next(self._seq), inst))

    def _judge(self, inst: _Instance, reading: Reading) -> None:
        rule = inst.rule
        if rule.kind == "threshold":
            value = reading.value
            if value is None:
                return  # no value: the condition stands as it was (see the module docstring)
            if rule.above is not None:
                holds = value > rule.above
            else:
                holds = rule.below is not None and value < rule.below
            start = reading.ts
        else:
            holds = reading.status.value == rule.status
            start = self._status[reading.key][1]
        moved = (reading.value, reading.status) != (inst.value, inst.status)
        inst.value, inst.status = reading.value, reading.status
        if holds:
            if inst.since is None:
                inst.since = start
                self._pending.add(inst)
            elif inst.firing and moved:
                self._touched.add(inst)
        elif inst.since is not None:
            inst.since = None
            self._pending.discard(inst)
            if inst.firing:
                self._end(inst)

    def _fire(self, inst: _Instance, now: float, age_s: float) -> None:
        inst.firing = True
        inst.age_s = age_s
        self._active[inst] = None
        self._build(inst, now)

    def _end(self, inst: _Instance) -> None:
        inst.firing = False
        inst.alert = inst.shown = None
        self._active.pop(inst, None)
        self._touched.discard(inst)
        self._changed = True

    def _build(self, inst: _Instance, now: float) -> None:
        rule = inst.rule
        status = inst.status
        if rule.kind == "stale":
            known = self._status.get(inst.item.key)
            status = known[0] if known else None
        values = fields(rule, inst.item, value=inst.value, status=status, age_s=inst.age_s)
        annotations = {"summary": fill(inst.summary, values)}
        if rule.description:
            annotations["description"] = fill(rule.description, values, multiline=True)
        if rule.runbook_url:
            annotations["runbook_url"] = rule.runbook_url
        if inst.alert is not None and inst.alert.annotations == annotations:
            return  # a new reading that reads the same: nothing to tell anyone
        inst.alert = Alert(
            fingerprint=inst.fingerprint,
            labels=inst.labels,
            annotations=annotations,
            starts_at=inst.since,
            updated_at=now,
            source=AlertSource.LOCAL,
            origins=(ORIGIN,),
        )
        inst.shown = None
        self._mark(inst)

    def _mark(self, inst: _Instance) -> None:
        """Apply the active maintenance windows to a firing instance's alert."""
        alert = inst.alert
        if alert is None:
            return
        info = inst.item
        marks: tuple[str, ...] = ()
        for window in self._windows:
            if window.covers_item(info.key, info.name, info.section) or window.covers_alert(
                inst.labels
            ):
                marks = (f"maint:{window.id}",)
                break
        if inst.shown is not None and inst.shown.silenced_by == marks:
            return
        inst.shown = replace(alert, silenced_by=marks) if marks else alert
        self._changed = True
