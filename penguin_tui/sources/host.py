"""The bastion's own figures through psutil: CPU, load, memory, swap, disk per mount, network.

psutil calls block (``cpu_percent`` reads /proc, ``disk_usage`` may stall on a sick mount),
so ``HostSampler.sample`` is meant to run in a thread (``asyncio.to_thread``), never on the
event loop.

Thresholds follow glances: *careful* is informational (still OK), *warning* is WARN and
*critical* is CRIT. Load is reported as the familiar 1-minute load average, with glances'
per-core multiples scaled by the core count (on 4 cores: WARN at 4.0, CRIT at 20.0), so
the number matches ``uptime`` and the thresholds match glances.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.model import ItemInfo, ItemKind

if TYPE_CHECKING:
    from penguin_tui.config_model import HostConfig, Threshold

SECTION = "Host"

# Filesystems that hold no operator data: their "use" is meaningless or always 100 %.
VIRTUAL_FS = frozenset(
    {
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts",
        "devtmpfs", "efivarfs", "fuse.lxcfs", "fuse.snapfuse", "fusectl", "hugetlbfs", "mqueue",
        "nsfs", "overlay", "proc", "pstore", "ramfs", "rpc_pipefs", "securityfs", "squashfs",
        "sysfs", "tmpfs", "tracefs", "iso9660",
    }
)  # fmt: skip
_VIRTUAL_PREFIXES = ("/proc", "/sys", "/dev", "/run", "/snap/", "/var/lib/docker/")


@dataclass(frozen=True, slots=True)
class HostFigure:
    """One measured host figure: ``key`` as in ItemInfo (``host:cpu``, ``host:disk:/``)."""

    key: str
    value: float


def real_mounts(configured: tuple[str, ...] = ()) -> list[str]:
    """Mount points worth watching: the configured ones, else every real filesystem.

    Bind mounts of one device (a container's /etc/hosts, a second view of /home) are shown
    once, at the shortest mount point. ``/`` is always there unless mounts are configured:
    in a container the root is an overlay, and its fill level still matters.
    """
    if configured:
        return list(configured)
    import psutil

    by_device: dict[str, str] = {}
    for part in psutil.disk_partitions(all=False):
        if part.fstype in VIRTUAL_FS or part.mountpoint.startswith(_VIRTUAL_PREFIXES):
            continue
        if not os.path.isdir(part.mountpoint):  # a bind-mounted file
            continue
        known = by_device.get(part.device)
        if known is None or len(part.mountpoint) < len(known):
            by_device[part.device] = part.mountpoint
    mounts = set(by_device.values()) | {"/"}
    return sorted(mounts)


def _item(key: str, name: str, unit: str, cfg: HostConfig, t: Threshold | None) -> ItemInfo:
    warn = t.warning if t else None
    crit = t.critical if t else None
    return ItemInfo(key, ItemKind.HOST, SECTION, name, unit, cfg.interval_s, warn, crit, "above")


class HostSampler:
    """Samples psutil figures; remembers what it needs between samples (network counters)."""

    def __init__(self, config: HostConfig) -> None:
        self.config = config
        self._mounts: list[str] | None = None
        self._cores = os.cpu_count() or 1
        self._last_net: tuple[float, int, int] | None = None
        self.primed_at: float | None = None  # time.monotonic() of the baseline reading

    @property
    def mounts(self) -> list[str]:
        if self._mounts is None:
            self._mounts = real_mounts(self.config.mounts)
        return self._mounts

    def items(self) -> list[ItemInfo]:
        """The host items this sampler produces (cheap: lists mounts once)."""
        cfg = self.config
        if not cfg.enabled:
            return []
        load = cfg.load
        items = [
            _item("host:cpu", "CPU", "%", cfg, cfg.cpu),
            ItemInfo(
                "host:load",
                ItemKind.HOST,
                SECTION,
                f"Load (1 min, {self._cores} cores)",
                "",
                cfg.interval_s,
                load.warning * self._cores,
                load.critical * self._cores,
                "above",
            ),
            _item("host:memory", "Memory", "%", cfg, cfg.memory),
            _item("host:swap", "Swap", "%", cfg, cfg.swap),
        ]
        items += [_item(f"host:disk:{m}", f"Disk {m}", "%", cfg, cfg.disk) for m in self.mounts]
        if cfg.network:
            items.append(_item("host:net_rx", "Network in", "B/s", cfg, None))
            items.append(_item("host:net_tx", "Network out", "B/s", cfg, None))
        return items

    def prime(self) -> None:
        """Start the CPU and network counters so the first real sample has a baseline."""
        import psutil

        psutil.cpu_percent(interval=None)
        net = psutil.net_io_counters()
        self.primed_at = time.monotonic()
        self._last_net = (self.primed_at, net.bytes_recv, net.bytes_sent)

    def sample(self) -> tuple[list[HostFigure], list[tuple[str, str]]]:
        """Measure everything once (blocking; run it in a thread).

        Returns the figures and, for figures that could not be read, ``(key, reason)`` pairs
        (a mount that vanished, a permission problem) so the item shows why it has no value.
        """
        import psutil

        if not self.config.enabled:
            return [], []
        if self.primed_at is None:
            self.prime()
        figures: list[HostFigure] = []
        failures: list[tuple[str, str]] = []
        figures.append(HostFigure("host:cpu", float(psutil.cpu_percent(interval=None))))
        figures.append(HostFigure("host:load", float(os.getloadavg()[0])))
        figures.append(HostFigure("host:memory", float(psutil.virtual_memory().percent)))
        swap = psutil.swap_memory()
        # No swap configured reads as 0 % used, which is the truth an operator expects.
        figures.append(HostFigure("host:swap", float(swap.percent if swap.total else 0.0)))
        for mount in self.mounts:
            key = f"host:disk:{mount}"
            try:
                figures.append(HostFigure(key, float(psutil.disk_usage(mount).percent)))
            except OSError as exc:
                failures.append((key, f"cannot read {mount}: {exc.strerror or exc}"))
        if self.config.network:
            now = time.monotonic()
            net = psutil.net_io_counters()
            if self._last_net is not None:
                then, rx, tx = self._last_net
                dt = now - then
                # Counters can go backwards when an interface goes away; skip that point.
                if dt > 0 and net.bytes_recv >= rx and net.bytes_sent >= tx:
                    figures.append(HostFigure("host:net_rx", (net.bytes_recv - rx) / dt))
                    figures.append(HostFigure("host:net_tx", (net.bytes_sent - tx) / dt))
            self._last_net = (now, net.bytes_recv, net.bytes_sent)
        return figures, failures
