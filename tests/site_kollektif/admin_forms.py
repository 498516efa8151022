"""Submitting Wagtail admin forms from the Django test client as a browser would.

The fields in the HTML (inputs, selects, textareas, inline formsets' management forms) are read
from the page; a StreamField is drawn by JavaScript from its blocks' form state, so its fields
are rebuilt here from the same state (``Block.get_form_state``), in the names the JavaScript
posts (``body-count``, ``body-0-type``, ``body-0-value-title``…).
"""

from __future__ import annotations

from html.parser import HTMLParser

from wagtail import blocks
from wagtail.fields import StreamField


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._form["fields"].append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._form["fields"].append((self._select, value))
                self._select_chosen = True

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not getattr(self, "_multiple", False) and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "form":
            self._form = None


def html_forms(html: str) -> list[dict]:
    parser = _FormParser(None)
    parser.feed(html)
    return parser.forms


def form_fields(html: str, *, action_contains: str = "", method: str = "post") -> dict[str, list[str]]:
    """The fields of the first form whose ``action`` contains ``action_contains``."""
    for form in html_forms(html):
        if form["attrs"].get("method", "get").lower() != method:
            continue
        if action_contains not in (form["attrs"].get("action") or ""):
            continue
        data: dict[str, list[str]] = {}
        for name, value in form["fields"]:
            data.setdefault(name, []).append(value)
        return data
    raise AssertionError(f"no {method} form with action containing {action_contains!r}")


def _leaf(state) -> str:
    if state is None or state is False:
        return ""
    if state is True:
        return "on"
    if isinstance(state, dict) and "id" in state:
        return str(state["id"])
    return str(state)


def block_form_data(block: blocks.Block, state, prefix: str, data: dict[str, list[str]]) -> None:
    """Flatten a block's form state into the POST fields its JavaScript widget would send."""
    if isinstance(block, blocks.BaseStreamBlock):
        data[f"{prefix}-count"] = [str(len(state))]
        for index, child in enumerate(state):
            data[f"{prefix}-{index}-type"] = [child["type"]]
            data[f"{prefix}-{index}-deleted"] = [""]
            data[f"{prefix}-{index}-order"] = [str(index)]
            data[f"{prefix}-{index}-id"] = [child.get("id") or ""]
            block_form_data(block.child_blocks[child["type"]], child["value"], f"{prefix}-{index}-value", data)
    elif isinstance(block, blocks.ListBlock):
        data[f"{prefix}-count"] = [str(len(state))]
        for index, child in enumerate(state):
            data[f"{prefix}-{index}-deleted"] = [""]
            data[f"{prefix}-{index}-order"] = [str(index)]
            data[f"{prefix}-{index}-id"] = [child.get("id") or ""]
            block_form_data(block.child_block, child["value"], f"{prefix}-{index}-value", data)
    elif isinstance(block, blocks.BaseStructBlock):
        for name, child_block in block.child_blocks.items():
            block_form_data(child_block, state.get(name), f"{prefix}-{name}", data)
    else:
        value = _leaf(state)
        if value or not isinstance(state, bool):
            data[prefix] = [value]


def page_edit_data(html: str, page, *, action: str) -> dict[str, list[str]]:
    """What the browser posts from a page's edit form, with the button ``action`` pressed."""
    data = form_fields(html, action_contains="/edit/")
    specific = page.specific
    for field in specific._meta.get_fields():
        if isinstance(field, StreamField):
            for key in [k for k in data if k == field.name or k.startswith(f"{field.name}-")]:
                del data[key]
            block = field.stream_block
            block_form_data(block, block.get_form_state(getattr(specific, field.name)), field.name, data)
    if action:
        data[action] = [action]
    return data
