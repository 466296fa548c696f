"""Speech to text through faster-whisper, with a model the operator put on disk (``speech_model_path``: a
CTranslate2 Whisper model folder). Nothing is downloaded: with no model configured the step is off."""

from __future__ import annotations

import logging
import math
import time as clock
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Phrase:
    start: float
    end: float
    text: str
    confidence: float


@lru_cache(maxsize=2)
def _model(folder: str) -> Any:
    from faster_whisper import WhisperModel  # imported late: it loads CTranslate2

    if not (Path(folder) / "model.bin").is_file():
        log.error("speech model folder %s has no model.bin", folder)  # the path for the operator only
        raise AvbaseError(N_("The configured speech model is incomplete (model.bin is missing)."))
    return WhisperModel(folder, device="cpu", compute_type="int8", local_files_only=True)


def transcribe(media: Path, model_folder: Path, language: str | None = None) -> tuple[list[Phrase], float]:
    """Phrases with their times, and how long it took."""
    started = clock.perf_counter()
    model = _model(str(model_folder))
    segments, _info = model.transcribe(str(media), language=language or None, beam_size=1, vad_filter=False)
    phrases = [
        Phrase(round(s.start, 3), round(s.end, 3), s.text.strip(), round(math.exp(s.avg_logprob), 3))
        for s in segments
        if s.text.strip()
    ]
    return phrases, round(clock.perf_counter() - started, 3)
