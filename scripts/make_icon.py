"""Draw the app icon (a handset in a round badge) as assets/icon.png and a multi-size
assets/icon.ico for the Windows executable. Run once after changing the drawing:
    python3 scripts/make_icon.py
"""
from pathlib import Path

from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def draw(size: int = 256) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.ellipse((8, 8, size - 8, size - 8), fill=(44, 62, 80, 255))           # flatly's dark blue
    s = size / 256
    # handset: two ear/mouth pieces joined by an arc
    d.arc((58 * s, 58 * s, 198 * s, 198 * s), start=200, end=340, fill=(24, 188, 156, 255),
          width=int(26 * s))
    d.rounded_rectangle((44 * s, 112 * s, 92 * s, 172 * s), radius=int(14 * s), fill=(24, 188, 156, 255))
    d.rounded_rectangle((164 * s, 112 * s, 212 * s, 172 * s), radius=int(14 * s), fill=(24, 188, 156, 255))
    d.ellipse((116 * s, 180 * s, 140 * s, 204 * s), fill=(255, 255, 255, 255))   # a ringing dot
    return image


if __name__ == "__main__":
    icon = draw()
    icon.save(ASSETS / "icon.png")
    icon.save(ASSETS / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (256, 256)])
    print("wrote", ASSETS / "icon.png", ASSETS / "icon.ico")
