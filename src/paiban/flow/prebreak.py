"""Paragraph breaks worked out ahead, in a forked process, while the flow goes on here.

Flowing a long story is serial: a paragraph's lines go where the previous paragraph ended.
But breaking a paragraph (most of the flow's time) depends only on its units, its style and the
measures of the slots it lands in, and in a newspaper thread nearly every slot has the same
measure. So a child made with ``fork`` (it inherits the story, the layout and the itemizer)
breaks the paragraphs from the story's end backwards, each as if every line had the thread's
usual measure and no jump line, and sends them in batches. The flow, going forwards, takes a
paragraph's breaks from the child once the child has reached it, and breaks the rest itself;
the two meet about a third of the way from the end, and the child is stopped.

A speculative break is used only where it is exactly what breaking here would give: the breaker
ran with a measure function that recorded the lines it asked about, and the flow checks that
the real measure of each of those lines is that same number (and that no jump line falls in
the paragraph: thread_flow only asks for these breaks then). The breaker is a pure function of
its arguments and of the measures it asks for, so the same answers give the same lines, and the
flow is the same, line for line, with or without the child (tested).

A child that fails or dies is only a loss of speed: the flow breaks everything itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections import Counter
from typing import Callable

from paiban.flow.frames import Slot
from paiban.linebreak.greedy import BreakOptions, LineBreak
from paiban.model.spec import TextStyle
from paiban.text.itemize import Unit

#: a story of fewer paragraphs is flowed without a child (a fork costs more than it saves)
MIN_PARAGRAPHS = 120
#: paragraphs per batch the child sends
BATCH = 24

#: (paragraph index, its style) → the paragraph's units, as flow_story makes them
Units = Callable[[int, TextStyle], tuple[Unit, ...]]
#: lines as plain tuples (LineBreak's fields), orphan flag, measure (em), the last line asked about
Ahead = tuple[list[tuple], bool, float, int]


def usual_measure(slots: list[Slot]) -> float | None:
    """The measure (pt) most slots of a thread have."""
    if not slots:
        return None
    return Counter(slot.measure for slot in slots).most_common(1)[0][0]


class PrebrokenParagraphs:
    """A child breaking paragraphs from the end backwards; `take` gives one paragraph's breaks
    (as the breaker would return them with a constant measure), or None while the child has not
    reached it. Use as a context manager: the child is stopped and reaped on leaving."""

    def __init__(self, count: int, work: Callable[[int], Ahead | None]):
        self.count = count
        self.lowest = count  # the child has sent paragraphs [lowest, count)
        self.ahead: dict[int, Ahead] = {}
        self.pid = 0
        self.fd = -1
        self._buffer = b""
        if count < MIN_PARAGRAPHS or not (sys.platform.startswith("linux") and hasattr(os, "fork")):
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(work, count, read_end, write_end)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self.pid, self.fd = pid, read_end

    def take(self, pi: int) -> Ahead | None:
        """Paragraph `pi`'s breaks when the child has sent them (read without waiting). Once the
        flow reaches what the child has sent, the child is stopped: the rest is here."""
        if pi < self.lowest and self.fd >= 0:
            self._poll()
        if pi >= self.lowest and self.pid:
            self._stop()
        return self.ahead.get(pi)

    def _poll(self) -> None:
        try:
            data = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the child is done (or gone): nothing more will come
            self._stop()
            return
        buffer = self._buffer + data
        while len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "big")
            if len(buffer) < 4 + size:
                break
            batch = pickle.loads(buffer[4:4 + size])
            buffer = buffer[4 + size:]
            for pi, ahead in batch:
                if ahead is not None:
                    self.ahead[pi] = ahead
                self.lowest = min(self.lowest, pi)
        self._buffer = buffer

    def _stop(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0

    def __enter__(self) -> PrebrokenParagraphs:
        return self

    def __exit__(self, *exc) -> None:
        self._stop()


def _child(work: Callable[[int], Ahead | None], count: int, read_end: int, write_end: int) -> None:
    """Break paragraphs count-1, count-2, … 0, sending a batch every `BATCH`; never returns."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.close(read_end)
        batch: list[tuple[int, Ahead | None]] = []
        for pi in range(count - 1, -1, -1):
            try:
                batch.append((pi, work(pi)))
            except Exception:  # noqa: BLE001 - the flow breaks this paragraph itself
                batch.append((pi, None))
            if len(batch) == BATCH or pi == 0:
                data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
                os.write(write_end, len(data).to_bytes(4, "big"))
                view = memoryview(data)
                while view:
                    view = view[os.write(write_end, view):]
                batch = []
    except BaseException:  # noqa: BLE001 - the parent stopped reading: it needs no more
        code = 1
    finally:
        os._exit(code)


def break_ahead(story_style: Callable[[int], TextStyle], units_of: Units,
                measure_pt: float, options_of: Callable[[TextStyle], BreakOptions],
                breaker_of: Callable[[TextStyle], Callable]) -> Callable[[int], Ahead | None]:
    """The child's work for paragraph `pi`: its breaks with every line `measure_pt` wide and no
    jump line, the orphan flag, the measure in em and the highest line number asked about."""
    def work(pi: int) -> Ahead | None:
        style = story_style(pi)
        units = units_of(pi, style)
        measure = measure_pt / style.size
        asked = [-1]

        def measure_of(k: int) -> float:
            if k > asked[0]:
                asked[0] = k
            return measure

        lines, orphan = breaker_of(style)(units, measure_of, style.indent, options_of(style), 0, True,
                                          frozenset(), style.squeeze_for_jump)
        return [_fields(line) for line in lines], orphan, measure, asked[0]
    return work


def _fields(line: LineBreak) -> tuple:
    return line.start, line.end, line.indent, line.measure, line.natural, line.forced


def lines_from(ahead: Ahead) -> list[LineBreak]:
    return [LineBreak(*fields) for fields in ahead[0]]
