"""YAML's safe loader made stricter for rule files: no repeated keys, merge keys, anchors
or aliases. Its own module so that ``yaml`` loads only when a rule file is parsed: the
bundled rules are read from their parsed snapshot (``rules.snapshot``)."""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import shown

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where built


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """YAML's safe loader (the C parser where available), refusing a key repeated in one
    mapping: plain YAML keeps the last silently, so a second ``decision:`` would hide
    the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # '<<' silently overrides keys
                    mark = key_node.start_mark
                    raise yaml.constructor.ConstructorError(
                        None, None, f"merge keys ('<<') are not allowed (line {mark.line + 1})",
                        mark)
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the base loader reports it
                if repeated:
                    mark = key_node.start_mark
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"duplicate key {shown(key)!r} (line {mark.line + 1}, column "
                        f"{mark.column + 1})", mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_document(self, node: yaml.Node) -> Any:
        _refuse_aliases(node)
        return super().construct_document(node)


def _refuse_aliases(root: yaml.Node) -> None:
    """Rule files have no use for anchors and aliases, and nested aliases expand to
    billions of items when the rules are validated ('billion laughs'): refuse any node
    reached twice."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"anchors and aliases are not allowed (line {mark.line + 1})", mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def parse(data: bytes) -> Any:
    """The document of a rule file's bytes. Not UTF-8, or not YAML this loader accepts:
    ``ValueError`` (``UnicodeDecodeError`` is one), so that callers need not load
    ``yaml`` to catch it."""
    try:
        return yaml.load(data.decode("utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
