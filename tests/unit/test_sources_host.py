"""Host figures through real psutil calls on this machine."""

from __future__ import annotations

import os
import time

from penguin_tui.config_model import HostConfig, Threshold
from penguin_tui.model import ItemKind
from penguin_tui.sources.host import HostSampler, real_mounts


def test_items_carry_glances_thresholds_and_load_scaled_by_cores():
    cores = os.cpu_count() or 1
    sampler = HostSampler(HostConfig(load=Threshold(0.7, 1.0, 5.0), interval_s=15))
    items = {i.key: i for i in sampler.items()}
    assert {"host:cpu", "host:load", "host:memory", "host:swap", "host:disk:/"} <= set(items)
    assert {"host:net_rx", "host:net_tx"} <= set(items)
    cpu = items["host:cpu"]
    assert (cpu.kind, cpu.section, cpu.unit, cpu.warn, cpu.crit) == (
        ItemKind.HOST,
        "Host",
        "%",
        70,
        90,
    )
    load = items["host:load"]
    assert (load.warn, load.crit) == (1.0 * cores, 5.0 * cores)
    assert f"{cores} cores" in load.name
    assert items["host:net_rx"].warn is None and items["host:net_rx"].unit == "B/s"
    assert all(i.interval_s == 15 for i in items.values())


def test_disabled_and_configured_mounts():
    assert HostSampler(HostConfig(enabled=False)).items() == []
    assert HostSampler(HostConfig(enabled=False)).sample() == ([], [])
    sampler = HostSampler(HostConfig(mounts=("/", "/no/such/mount"), network=False))
    keys = [i.key for i in sampler.items()]
    assert "host:disk:/no/such/mount" in keys and "host:net_rx" not in keys
    _, failures = sampler.sample()
    assert [k for k, _ in failures] == ["host:disk:/no/such/mount"]
    assert failures[0][1].startswith("cannot read /no/such/mount: ")


def test_real_mounts_skip_virtual_filesystems():
    mounts = real_mounts()
    assert "/" in mounts
    assert not any(m.startswith(("/proc", "/sys", "/dev", "/run")) for m in mounts)


def test_sample_values_are_plausible():
    sampler = HostSampler(HostConfig())
    sampler.prime()
    time.sleep(0.05)
    figures, failures = sampler.sample()
    values = {f.key: f.value for f in figures}
    assert not failures
    for key in ("host:cpu", "host:memory", "host:swap", "host:disk:/"):
        assert 0.0 <= values[key] <= 100.0, key
    assert values["host:load"] >= 0.0
    assert values["host:net_rx"] >= 0.0 and values["host:net_tx"] >= 0.0
