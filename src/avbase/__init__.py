"""avbase — the open digital base for an audio-visual industry cluster."""

__version__ = "0.1.0"
