"""penguin-tui: a terminal operations console for the PenguinMails email platform."""

__version__ = "0.1.0"
