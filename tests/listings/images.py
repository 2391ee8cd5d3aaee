"""Picture files for upload tests, made with Pillow in memory."""

import io
import os
import struct
import zlib

from PIL import ExifTags, Image


def jpeg(width: int = 80, height: int = 40, colour: str = "red", *, gps: bool = False) -> bytes:
    """A JPEG; with gps=True it carries a camera make, GPS coordinates and orientation 6."""
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "SecretCam"
        exif[ExifTags.Base.Orientation] = 6  # rotated 90 degrees: width and height swap upright
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[ExifTags.GPS.GPSLatitudeRef] = "N"
        info[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
        info[ExifTags.GPS.GPSLongitudeRef] = "E"
        info[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 0.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png(width: int = 60, height: int = 60, *, transparent: bool = False) -> bytes:
    mode, colour = ("RGBA", (0, 128, 0, 0)) if transparent else ("RGB", (0, 128, 0))
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def noisy_jpeg(width: int = 400, height: int = 400) -> bytes:
    """Random pixels compress badly: a JPEG of a predictable, sizeable number of bytes."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb if ever decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "BMP")
    return out.getvalue()


def mpo() -> bytes:
    """A multi-picture JPEG, as many phone cameras write them."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def heic(width: int = 120, height: int = 80, colour: str = "orange") -> bytes:
    """A HEIC file as iPhones write them, made with pillow-heif's encoder."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "HEIF")
    return out.getvalue()


def phone_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A phone camera's full-size picture: 12 megapixels, held sideways (orientation 6), with GPS."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    info[ExifTags.GPS.GPSLatitudeRef] = "N"
    info[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()
