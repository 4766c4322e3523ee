"""Draw the demo's placeholder picture (a harbour at dawn, as flat shapes) with Pillow.

    python layouts/images/make_placeholder.py

Writes layouts/images/harbour-placeholder.png (1200 × 900 px: about 200 dpi across the demo's
three columns) and reading-room-placeholder.png (1200 × 900 px too: page 2 of the demo sets it
across three columns). Made by the project so that
nothing is downloaded; deterministic (no randomness).
"""

from pathlib import Path

from PIL import Image, ImageDraw

W, H = 800, 600
HERE = Path(__file__).parent


def harbour() -> Image.Image:
    im = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(im)
    for y in range(int(H * 0.55)):  # sky: dawn gradient
        t = y / (H * 0.55)
        d.line([(0, y), (W, y)], fill=(int(250 - 90 * t), int(200 - 60 * t), int(150 + 60 * t)))
    for y in range(int(H * 0.55), H):  # sea
        t = (y - H * 0.55) / (H * 0.45)
        d.line([(0, y), (W, y)], fill=(int(40 + 20 * t), int(90 + 30 * t), int(140 + 30 * t)))
    d.ellipse([W * 0.62, H * 0.30, W * 0.74, H * 0.46], fill=(255, 235, 180))  # sun
    # quay cranes
    for x in (90, 230, 370):
        d.rectangle([x, H * 0.25, x + 12, H * 0.56], fill=(60, 60, 70))
        d.rectangle([x - 60, H * 0.25, x + 110, H * 0.25 + 14], fill=(60, 60, 70))
        d.line([(x + 6, H * 0.25), (x + 90, H * 0.40)], fill=(60, 60, 70), width=4)
    # a container ship
    d.polygon([(420, H * 0.56), (760, H * 0.56), (730, H * 0.66), (450, H * 0.66)], fill=(30, 35, 45))
    colours = [(200, 60, 50), (40, 110, 170), (230, 170, 40), (60, 140, 90)]
    for i in range(8):
        for j in range(3):
            x0 = 460 + i * 34
            y0 = H * 0.56 - (j + 1) * 18
            d.rectangle([x0, y0, x0 + 32, y0 + 16], fill=colours[(i + j) % 4])
    for k in range(12):  # light on the water
        y = H * 0.6 + k * 18
        d.line([(W * 0.55, y), (W * 0.8, y)], fill=(230, 200, 150), width=2)
    return im


def reading_room() -> Image.Image:
    im = Image.new("RGB", (W, H), (235, 225, 205))
    d = ImageDraw.Draw(im)
    d.rectangle([0, H * 0.75, W, H], fill=(150, 110, 80))  # floor
    d.rectangle([W * 0.55, H * 0.1, W * 0.95, H * 0.6], fill=(120, 170, 210))  # window: the sea
    d.rectangle([W * 0.55, H * 0.35, W * 0.95, H * 0.6], fill=(50, 100, 150))
    d.line([(W * 0.75, H * 0.1), (W * 0.75, H * 0.6)], fill=(240, 240, 240), width=8)
    for shelf in range(4):  # a bookcase
        y = H * 0.15 + shelf * H * 0.15
        d.rectangle([W * 0.05, y + H * 0.13, W * 0.45, y + H * 0.15], fill=(110, 75, 50))
        for b in range(14):
            x = W * 0.06 + b * W * 0.027
            d.rectangle([x, y + H * (0.03 + (b % 3) * 0.01), x + W * 0.022, y + H * 0.13],
                        fill=[(170, 60, 50), (60, 90, 140), (200, 160, 60), (70, 120, 80)][(b + shelf) % 4])
    d.rectangle([W * 0.5, H * 0.65, W * 0.9, H * 0.7], fill=(120, 80, 55))  # a reading table
    return im


def main() -> None:
    harbour().resize((1200, 900), Image.Resampling.NEAREST).save(HERE / "harbour-placeholder.png", optimize=True)
    reading_room().resize((1200, 900), Image.Resampling.NEAREST).save(HERE / "reading-room-placeholder.png",
                                                                      optimize=True)


if __name__ == "__main__":
    main()
