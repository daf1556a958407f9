"""A footer that is rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds all of its key widgets on every focus change and every
``refresh_bindings``. On a screen where focus moves on each step (the secret browser moves it
from the tree to the secret each time one opens) that rebuild, a frame's worth of widgets,
competed with the work the step started; here it happens only when a key comes, goes, or is
enabled or disabled.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """The footer, rebuilt only when the keys it shows (and their state) change."""

    _shown: tuple[tuple[str, str, bool], ...] = ()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True  # what Footer.bindings_changed sets before composing
        if self.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        shown = tuple(
            (binding.key, binding.description, enabled)
            for (_node, binding, enabled, _tip) in self.screen.active_bindings.values()
            if binding.show
        )
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
