"""A layout's stories: the `stories:` key.

`load_stories` reads each story: its article file, the regions it runs in (a headline region
and a thread of text regions, each region used by one story once: `region_ref`), its rank and
the text styles of its roles (the rank's headline styles unless `styles:` names others).
"""

from __future__ import annotations

from paiban.i18n import _
from paiban.input.layout_keys import RANKED_ROLES, RANKS, STORY_FLAGS, STORY_KEYS, STYLE_ROLES
from paiban.input.layout_values import ValueReader, opt
from paiban.input.yaml_source import Node, did_you_mean
from paiban.model.spec import Region, RegionKind, StorySpec, TextStyle

__all__ = ["load_stories", "region_ref"]


def load_stories(reader: ValueReader, node: Node, styles: dict[str, TextStyle], regions: dict[str, Region],
                 region_nodes: dict[str, Node]) -> tuple[StorySpec, ...]:  # fmt: skip
    entries = node.as_list(_("a list of stories (- name: …)"))
    if not entries:
        raise node.error(_("at least one story is needed"))
    names: dict[str, Node] = {}
    used: dict[str, str] = {}  # region name → story using it
    stories = []
    for entry in entries:
        entry.as_mapping(_("a story (a mapping with keys name, article, headline, thread, styles)"))
        entry.check_keys(STORY_KEYS, required=STORY_KEYS.required)
        name_node = entry.require("name")
        name = reader.name(name_node)
        if name in names:
            raise name_node.error(_("story name '{name}' is used twice (first on line {line})").format(
                name=name, line=names[name].where.line))
        names[name] = name_node
        article = reader.file_path(entry.require("article"), _("article file"), reader.limits.article_size,
                                 "limits.article_size")
        headline = opt(entry, "headline", lambda n: region_ref(reader, n, regions, RegionKind.HEADLINE, used, name),
                        None)
        thread_node = entry.require("thread")
        thread_items = [thread_node] if thread_node.is_scalar else thread_node.as_list(_("a list of region names"))
        if not thread_items:
            raise thread_node.error(_("a thread needs at least one text region"))
        thread = tuple(region_ref(reader, item, regions, RegionKind.TEXT, used, name) for item in thread_items)
        rank = opt(entry, "rank", lambda n: n.as_choice(tuple(RANKS), "rank"), "secondary")
        fields: dict[str, str | None] = {STYLE_ROLES[role]: RANKS[rank] + role for role in RANKED_ROLES}
        for key in ("kicker", "subtitle"):  # the layout's 引题 / 副题 over the article's
            fields[f"{key}_text"] = opt(entry, key, lambda n: n.as_str().strip(), None)
        if (styles_node := entry.get("styles")) is not None:
            styles_node.as_mapping(_("a mapping of role → style name"))
            styles_node.check_keys(tuple(STYLE_ROLES))
            for role, item in styles_node.items():
                style = item.as_str().strip()
                if style not in styles:
                    raise item.error(_("unknown style '{style}';{hint} styles: {styles}").format(
                        style=style, hint=did_you_mean(style, styles), styles=', '.join(styles)))  # fmt: skip
                fields[STYLE_ROLES[role]] = style
        flags = {key: item.as_bool() for key in STORY_FLAGS if (item := entry.get(key)) is not None}
        stories.append(StorySpec(name=name, article=article, thread=thread, headline_region=headline,
                                 **fields, **flags))
    return tuple(stories)


def region_ref(reader: ValueReader, node: Node, regions: dict[str, Region], kind: RegionKind, used: dict[str, str],
               story: str) -> str:  # fmt: skip
    name = reader.name(node)
    region = regions.get(name)
    if region is None:
        wanted = [n for n, r in regions.items() if r.kind is kind]
        listed = ", ".join(wanted) or "none"
        raise node.error(_("no region named '{name}';{hint} {wanted_kind} regions: {listed}").format(
            name=name, hint=did_you_mean(name, wanted), wanted_kind=kind.value, listed=listed))
    if region.kind is not kind:
        role = _("a headline") if kind is RegionKind.HEADLINE else _("a thread")
        raise node.error(_("region '{name}' is a {kind} region; {role} needs a {wanted_kind} region").format(
            name=name, kind=region.kind.value, role=role, wanted_kind=kind.value))
    if name in used:
        other = used[name]
        again = _("twice in this story") if other == story else _("already by story '{other}'").format(other=other)
        raise node.error(_("region '{name}' is used {again}; each region holds one story once").format(
            name=name, again=again))
    used[name] = story
    return name
