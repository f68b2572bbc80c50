"""A clip's edges: the silence an engine leaves before and after the words, cut off so a cue
starts where the timeline puts it. Pure: samples in, a view of them out.
"""

from __future__ import annotations

import numpy as np

# int16 amplitude below which an edge sample counts as silence (about -54 dBFS).
SILENCE_THRESHOLD = 64


def trim_silence(samples: np.ndarray, threshold: int = SILENCE_THRESHOLD) -> np.ndarray:
    """`samples` without the leading and trailing run of samples whose |value| <= threshold.

    All-silent input gives an empty array. Pure: returns a view, never modifies the input.
    """
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]
