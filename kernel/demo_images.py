"""Pictures for demo data and tests, drawn with Pillow: nothing is downloaded."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont


def _colour_from(text: str, shift: int = 0) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{text}{shift}".encode()).digest()
    return tuple(60 + digest[i] % 150 for i in range(3))  # type: ignore[return-value]


def picture_png(text: str, *, width: int = 1200, height: int = 600) -> bytes:
    """A gradient with big initials: recognisable, light, and the same for the same text."""
    start, end = _colour_from(text), _colour_from(text, 1)
    image = Image.new("RGB", (width, height), start)
    draw = ImageDraw.Draw(image)
    for x in range(width):
        ratio = x / max(width - 1, 1)
        colour = tuple(int(start[i] + (end[i] - start[i]) * ratio) for i in range(3))
        draw.line([(x, 0), (x, height)], fill=colour)
    initials = "".join(word[0] for word in text.split()[:3] if word[:1].isalnum()).upper() or "K"
    try:
        font = ImageFont.load_default(size=min(width, height) // 3)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    draw.text((width / 2, height / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
