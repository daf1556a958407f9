"""The simulated PenguinMails platform behind ``penguin-tui demo``, the tests and the benchmarks.

``scenario`` (what the platform looks like at any instant, with ``episodes``) is pure;
``platform`` serves it on loopback through ``httpserver``; ``config`` writes the config that
watches it; ``history`` fills a cache with the night before; ``runner`` ties it together
for the command line.
"""
