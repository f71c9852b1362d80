"""The key footer: Textual's :class:`~textual.widgets.Footer` look, drawn by one widget.

Textual's footer is a container with a widget per key (twelve on the review screen, plus a group
and its label), each mounted, styled and drawn on its own, and rebuilt by a recompose after every
bindings signal of its screen: ~15-20 ms of the first frame. This footer lays out the same items
(a key, then its description; keys of a :class:`~textual.binding.Binding.Group` side by side with
the group's name after them), with the same gaps and the same colours (the theme's ``footer-*``
variables, through the component classes in ``app.tcss``), and draws them as one line. On a
bindings signal it recomputes what it would show and repaints only when that changed.

Where Textual's footer cuts its line at the right edge (so ``? Help`` and ``q Quit``, which come
last, are the first keys lost), this one leaves out whole keys by their rank in
:data:`~annotator.tui.keymap.FOOTER_PRIORITY`, least important first, until the rest fits: ``?
Help``, which lists every key, stays on a screen of any supported width. The keys shown keep their
order.

The mouse works as on Textual's footer: a key is highlighted under the pointer and shows its
tooltip, a click presses it (a disabled key rings the bell), and the wheel scrolls a footer that
is still wider than the screen (when even its most important key does not fit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from itertools import groupby
from typing import Any, ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.css.styles import StylesBase
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget

from annotator.tui.keymap import FOOTER_PRIORITY


class FooterItem(NamedTuple):
    """One key shown in the footer (what Textual's ``FooterKey`` holds)."""

    key: str
    """The key pressed when the item is clicked."""
    key_display: str
    description: str
    """Empty for the keys of a group: the group's name follows them (see ``group``)."""
    action: str
    enabled: bool
    tooltip: str
    group: str | None = None
    """The name of the group this key is shown in, if any."""
    group_compact: bool = False
    binding_id: str = ""
    """The binding's id (``review.accept``): what :func:`fit_items` ranks it by."""


Part = tuple[str, str, int | None]
"""A run of the footer line: its text, what it is (``gap``, ``key``, ``description``,
``label``) and the index of the item it belongs to (None: not a key)."""


def footer_items(screen: Screen[object]) -> tuple[FooterItem, ...]:
    """The keys Textual's footer shows for ``screen`` now, in order (its ``compose``, without
    the command palette's key: the app turns the palette off)."""
    app = screen.app
    by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for _, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.show:
            by_action[binding.action].append((binding, enabled, tooltip))
    items: list[FooterItem] = []
    for group, runs in groupby(by_action.values(), lambda run: run[0][0].group):
        same_group = list(runs)
        grouped = group is not None and len(same_group) > 1
        for run in same_group:
            binding, enabled, tooltip = run[0]
            items.append(
                FooterItem(
                    key=binding.key,
                    key_display=app.get_key_display(binding),
                    description="" if grouped else binding.description,
                    action=binding.action,
                    enabled=enabled,
                    tooltip=(tooltip or binding.description) if grouped else tooltip,
                    group=group.description if grouped and group is not None else None,
                    group_compact=grouped and group is not None and group.compact,
                    binding_id=binding.id or "",
                )
            )
    return tuple(items)


def footer_parts(items: Iterable[FooterItem], shown: Container[int] | None = None) -> list[Part]:
    """The footer line as runs of text, laid out as Textual's footer lays out its widgets.

    A key is `` k `` then ``description `` (a key without a description has no padding). A group
    is its keys side by side (a compact group: after a one-cell padding, with no gaps; else one
    cell between keys) then its name, followed by one cell. Horizontal margins of neighbours
    collapse, as in Textual's horizontal layout.

    With ``shown``, only the items of those indices are laid out (the parts keep the indices of
    ``items``).
    """
    parts: list[Part] = []
    margin = 0  # the right margin of what came before

    def gap(left_margin: int) -> None:
        width = max(margin, left_margin)
        if width:
            parts.append((" " * width, "gap", None))

    listed = [(index, item) for index, item in enumerate(items) if shown is None or index in shown]
    at = 0
    while at < len(listed):
        index, item = listed[at]
        if item.group is None:
            gap(0)
            if item.description:
                parts.append((f" {item.key_display} ", "key", index))
                parts.append((f"{item.description} ", "description", index))
            else:
                parts.append((item.key_display, "key", index))
            margin = 0
            at += 1
            continue
        # a group: its keys, then its name as a label
        name, compact = item.group, item.group_compact
        if compact:
            gap(0)
            parts.append((" ", "gap", None))  # the group's left padding
        while at < len(listed) and listed[at][1].group == name:
            if not compact:
                gap(1)
            parts.append((listed[at][1].key_display, "key", listed[at][0]))
            margin = 0 if compact else 1
            at += 1
        if compact:
            margin = 1  # the group's right margin
        gap(0)
        parts.append((name, "label", None))
        margin = 1  # the label's right margin
    return parts


def parts_width(parts: Iterable[Part]) -> int:
    return sum(len(text) for text, _, _ in parts)


def fit_items(
    items: Sequence[FooterItem], width: int, priority: Sequence[str] = FOOTER_PRIORITY
) -> tuple[int, ...]:
    """The indices of the items to show in ``width`` cells: all if they fit, else the most
    important ones that do (at least one key, or one group).

    A group of keys shown together is kept or left out whole, ranked by its best key. Keys are
    ranked by their id's place in ``priority``; keys not in it rank below all that are, the
    later one lower. The lowest-ranked key goes first, until the rest fits.
    """
    if parts_width(footer_parts(items)) <= width:
        return tuple(range(len(items)))
    # Units: one key, or the adjacent keys of one group.
    units: list[list[int]] = []
    for index, item in enumerate(items):
        if units and item.group is not None and items[units[-1][0]].group == item.group:
            units[-1].append(index)
        else:
            units.append([index])
    place = {binding_id: rank for rank, binding_id in enumerate(priority)}

    def rank(position: int) -> tuple[int, int]:
        return (min(place.get(items[i].binding_id, len(place)) for i in units[position]), position)

    kept = sorted(range(len(units)), key=rank)
    while len(kept) > 1:
        kept.pop()
        shown = {index for position in kept for index in units[position]}
        if parts_width(footer_parts(items, shown)) <= width:
            break
    return tuple(sorted(index for position in kept for index in units[position]))


def _nest(
    styles: StylesBase, background: Color, color: Color, style: Style, opacity: float
) -> tuple[Color, Color, Style, float]:
    """One step of ``DOMNode.rich_style``: a node with ``styles`` inside what came before."""
    has_rule = styles.has_rule
    opacity *= styles.opacity
    text_background = background
    if has_rule("background"):
        tinted = styles.background.tint(styles.background_tint)
        text_background = background + tinted
        background += tinted.multiply_alpha(opacity)
    if has_rule("color"):
        color = styles.color
    style += styles.text_style
    if has_rule("auto_color") and styles.auto_color:
        color = text_background.get_contrast_text(color.a)
    return background, color, style, opacity


class KeysFooter(Widget, can_focus=False):
    """The screen's keys in one line; repainted only when the keys it shows change."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keys-footer--item",
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--label",
        "keys-footer--hover",
    }
    """Textual's ``FooterKey`` (item: its background; hover), ``.footer-key--key``,
    ``.footer-key--description`` and ``FooterLabel`` (see ``app.tcss``)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._items: tuple[FooterItem, ...] | None = None
        self._parts: list[Part] = []
        """The parts of the keys shown at ``_fit_width`` (``_fit``)."""
        self._fit_width: int | None = None
        self._width = 0
        self._strip: Strip | None = None
        self._hover: int | None = None
        self._offset = 0
        self._update_pending = False

    # ------------------------------------------------------------------ what is shown
    @property
    def items(self) -> tuple[FooterItem, ...]:
        """The screen's footer keys (the same tuple until they change); :attr:`shown` are the
        ones that fit."""
        if self._items is None:
            self._set_items(footer_items(self.screen))
        assert self._items is not None
        return self._items

    @property
    def shown(self) -> tuple[FooterItem, ...]:
        """The keys that fit the footer's width (all of :attr:`items` when it is wide enough)."""
        items = self.items
        self._fit(self.size.width)
        return tuple(items[i] for i in sorted({i for _, _, i in self._parts if i is not None}))

    def _set_items(self, items: tuple[FooterItem, ...]) -> None:
        self._items = items
        self._fit_width = None
        self._parts = []
        self._hover = None
        if self.tooltip is not None:
            self.tooltip = None
        self._strip = None

    def _fit(self, width: int) -> None:
        """Lay out the keys that fit ``width`` cells (once per width and set of keys)."""
        if width == self._fit_width or self._items is None:
            return
        self._fit_width = width
        self._parts = footer_parts(self._items, set(fit_items(self._items, width)))
        self._width = parts_width(self._parts)
        self._offset = min(self._offset, self._max_offset())
        self._strip = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Once per refresh, however many signals arrive: the focus and the checks of the
        # bindings have settled by then.
        if not self._update_pending and self.is_attached and screen is self.screen:
            self._update_pending = True
            self.call_after_refresh(self._update)

    def _update(self) -> None:
        self._update_pending = False
        if not self.is_attached:
            return
        items = footer_items(self.screen)
        if items != self._items:
            self._set_items(items)
            self.refresh()

    # ------------------------------------------------------------------ drawing
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None

    def _line(self) -> Strip:
        if self._strip is not None:
            return self._strip
        assert self._items is not None
        # What DOMNode.rich_style computes for a node nested in this widget: the widget's own
        # chain of ancestors first (once), then the component classes as nested nodes.
        background = Color(0, 0, 0, 0)
        color = Color(255, 255, 255, 0)
        base_style = Style()
        opacity = 1.0
        for node in reversed(self.ancestors_with_self):
            background, color, base_style, opacity = _nest(
                node.styles, background, color, base_style, opacity
            )

        def styled(*components: str) -> Style:
            bg, fg, style, alpha = background, color, base_style, opacity
            for name in components:
                bg, fg, style, alpha = _nest(self.get_component_styles(name), bg, fg, style, alpha)
            return style + Style.from_color(
                (bg + fg).rich_color if (bg.a or fg.a) else None, bg.rich_color if bg.a else None
            )

        # Between items, the footer's own background shows (as Textual draws a container).
        base_background, own_background = self.background_colors
        plain = VisualStyle(background=base_background + own_background).rich_style
        styles: dict[tuple[str, bool, bool], Style] = {}
        segments: list[Segment] = []
        for text, kind, index in self._parts:
            if index is None:
                style = styles.get((kind, False, True))
                if style is None:
                    style = styled("keys-footer--label") if kind == "label" else plain
                    styles[kind, False, True] = style
                segments.append(Segment(text, style))
                continue
            # Hovered, Textual's FooterKey takes its colours from its :hover rule.
            hovered, enabled = index == self._hover, self._items[index].enabled
            style = styles.get((kind, hovered, enabled))
            if style is None:
                item = "keys-footer--hover" if hovered else "keys-footer--item"
                style = styled(item, f"keys-footer--{kind}")
                if not enabled:
                    style += Style(dim=True)
                styles[kind, hovered, enabled] = style
            segments.append(Segment(text, style))
        self._strip = Strip(segments, self._width)
        return self._strip

    def render_line(self, y: int) -> Strip:
        # Textual pads a short line with the widget's background.
        if y != 0:
            return Strip([])
        self.items  # noqa: B018  (computes them on the first frame)
        self._fit(self.size.width)  # the screen may have been resized
        return self._line().crop(self._offset, self._offset + self.size.width)

    # ------------------------------------------------------------------ mouse
    def _item_at(self, x: int) -> int | None:
        x += self._offset
        for text, _, index in self._parts:
            if x < len(text):
                return index
            x -= len(text)
        return None

    def _hover_at(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self._strip = None
            items = self._items or ()
            self.tooltip = items[index].tooltip or None if index is not None else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_at(self._item_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_at(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._item_at(event.x)
        if index is None or self._items is None:
            return
        item = self._items[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def _max_offset(self) -> int:
        return max(self._width - self.size.width, 0)

    def _scroll_by(self, cells: int, event: events.MouseEvent) -> None:
        offset = min(max(self._offset + cells, 0), self._max_offset())
        if offset != self._offset:
            self._offset = offset
            self._hover_at(None)
            self.refresh()
            event.stop()
            event.prevent_default()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(4, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-4, event)
