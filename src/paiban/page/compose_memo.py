"""What composing pages made, kept to compose them again after an edit (`paiban serve`).

A warm build composes a page again when one story's lines on it changed; most of its lines are
the very `FlowLine` objects of the last flow (a resumed flow keeps the lines it did not break
again), and its headlines have the same inputs. A `ComposeMemo` keeps, for one layout basis and
one set of fonts (its owner makes a new one when either changes):

* each page's placed lines by the flow line they were placed from (the same object, with the
  same run-in), and its furniture (running head, masthead, pictures, region rules) by what it
  depends on beyond the layout: what the page's last composition used;
* each story's headline block with its inputs (the story spec and the article's headline).

A placed line depends only on its flow line, its run-in, the layout's styles and page geometry
and the fonts; a headline block only on the story, the article's headline, the layout and the
fonts: what is taken from the memo is what composing would have made.
"""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from paiban.model.article import Article
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine
from paiban.model.placed import Marker, PlacedLine
from paiban.model.spec import StorySpec

Placed = tuple[PlacedLine, list[Marker]]
Place = Callable[[FlowLine, "tuple[int, str] | None"], Placed]
Block = tuple[list[PlacedLine], list[Marker], list[BuildWarning]]
T = TypeVar("T")


class ComposeMemo:
    """Placed lines and furniture per page, headline blocks per story, from the last compositions."""

    def __init__(self) -> None:
        #: page → (id(flow line) → (line, run-in, placed, markers), furniture key → furniture)
        self._pages: dict[int, tuple[dict[int, tuple], dict[tuple, object]]] = {}
        self._last: dict[int, tuple[dict[int, tuple], dict[tuple, object]]] = {}
        self._headlines: dict[str, tuple[StorySpec, object, Block]] = {}

    def begin(self, numbers: Iterable[int]) -> None:
        """Pages `numbers` are composed anew: each keeps only what this composition uses."""
        for number in numbers:
            self._last[number] = self._pages.get(number, ({}, {}))
            self._pages[number] = ({}, {})

    def placer(self, number: int, place: Place) -> Place:
        """`place` for page `number` (after `begin`): a line placed last time is taken again."""
        old, new = self._last[number][0], self._pages[number][0]

        def placed(fl: FlowLine, run_in: tuple[int, str] | None) -> Placed:
            hit = old.get(id(fl))
            if hit is None or hit[0] is not fl or hit[1] != run_in:
                hit = (fl, run_in, *place(fl, run_in))
            new[id(fl)] = hit
            return hit[2], hit[3]

        return placed

    def made(self, number: int, key: tuple, make: Callable[[], T]) -> T:
        """The furniture `key` of page `number` (after `begin`): the last one made, or `make()`.
        `key` names all that `make` depends on beyond the layout and the fonts."""
        hit = self._last[number][1].get(key)
        if hit is None:
            hit = make()
        self._pages[number][1][key] = hit
        return hit

    def headline(self, story: StorySpec, article: Article, make: Callable[[], Block]) -> Block:
        """The story's headline block: the last one when the story and the headline are the same."""
        hit = self._headlines.get(story.name)
        if hit is None or hit[0] != story or hit[1] != article.headline:
            hit = self._headlines[story.name] = (story, article.headline, make())
        return hit[2]

    def forget(self, pages: Iterable[int]) -> None:
        """What was made for `pages` (a picture on them is new)."""
        for number in pages:
            self._pages.pop(number, None)

    def keep(self, pages: set[int], stories: set[str]) -> None:
        """Forget what was made for pages and stories no longer in the layout."""
        self._pages = {n: made for n, made in self._pages.items() if n in pages}
        self._last = {}
        self._headlines = {name: hit for name, hit in self._headlines.items() if name in stories}
