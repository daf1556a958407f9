"""What the panes with a cursor of their own share (secret tree, secret view, timeline): the
keys that move it and its colours.

Each pane implements the actions (``cursor(step)``, ``page(direction)``, ``first``, ``last``)
its own way: the tree moves over rows, the secret view from key to key.
"""

from __future__ import annotations

from textual.binding import Binding

# No j/k: on the secrets screen j is the JSON view (the timeline adds them itself).
CURSOR_KEYS = [
    Binding("up", "cursor(-1)", "up", show=False),
    Binding("down", "cursor(1)", "down", show=False),
    Binding("pageup", "page(-1)", "page up", show=False),
    Binding("pagedown", "page(1)", "page down", show=False),
    Binding("home", "first", "first", show=False),
    Binding("end", "last", "last", show=False),
]


def cursor_css(widget: str, component: str) -> str:
    """CSS of the cursor line, component class ``component`` of ``widget``: a light panel
    colour, the accent while the pane has focus (where the keys go)."""
    return f"""
    {widget} > .{component} {{
        background: $panel-lighten-1;
    }}
    {widget}:focus > .{component} {{
        background: $accent 40%;
    }}
    """
