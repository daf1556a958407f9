"""``python -m penguin_tui`` runs the command line."""

from penguin_tui.cli import main

main()
