"""A picture someone searches with: read from the upload, checked by its bytes, kept small."""

from __future__ import annotations

import io

from fastapi import UploadFile
from PIL import Image, UnidentifiedImageError

from avbase.core.errors import AvbaseError

MAX_BYTES = 20 << 20


def read_picture(upload: UploadFile) -> Image.Image:
    upload.file.seek(0)
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AvbaseError("The file is larger than {limit} MB.", field="file", limit=MAX_BYTES >> 20)
    try:
        picture = Image.open(io.BytesIO(data))
        picture.draft("RGB", (640, 640))  # JPEG: decode at a reduced size, enough for the descriptor
        picture.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise AvbaseError("The file is not a picture (JPEG, PNG or WebP).", field="file") from exc
    return picture.convert("RGB")
