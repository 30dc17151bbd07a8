"""Progress bars for the CLI: the library reports (stage, done, total), tqdm draws."""

from __future__ import annotations

import threading

from tqdm import tqdm


class ProgressBars:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars: dict[str, tqdm] = {}
        self.lock = threading.Lock()  # speech reports from its own thread, beside the picture's

    def update(self, stage: str, done: float, total: float) -> None:
        if not self.enabled:
            return
        with self.lock:
            bar = self.bars.get(stage)
            if bar is None:
                bar = self.bars[stage] = tqdm(total=round(total, 1), desc=stage, unit="s", leave=False)
            bar.n = round(min(done, total), 1)
            bar.refresh()

    def close(self) -> None:
        with self.lock:
            for bar in self.bars.values():
                bar.close()
            self.bars.clear()
