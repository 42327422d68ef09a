"""Real files made on the spot: every test uploads bytes that a real program wrote."""

import datetime as dt
import io
import struct
import zipfile
import zlib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from PIL import ExifTags, Image
from reportlab.pdfgen import canvas

RED, BLUE = (255, 0, 0), (0, 0, 255)


def two_colour_image(size=(40, 20)) -> Image.Image:
    """Left half red, right half blue: which way up it is shows after a rotation."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def image_bytes(fmt: str = "PNG", *, image: Image.Image | None = None, **save) -> bytes:
    out = io.BytesIO()
    (image or two_colour_image()).save(out, format=fmt, **save)
    return out.getvalue()


def camera_exif(image: Image.Image, *, orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: orientation, maker, model, time and a GPS position."""
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Pocketphone"
    exif[ExifTags.Base.Model] = "Pocketphone 12 Pro"
    exif[ExifTags.Base.DateTime] = "2026:11:30 18:45:02"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.4)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.9)
    return exif


def phone_photo_jpeg() -> bytes:
    """A JPEG stored sideways with orientation 6 (turn 90° clockwise), GPS and a comment."""
    image = two_colour_image()
    return image_bytes(
        "JPEG", image=image, exif=camera_exif(image), comment=b"Taken at 221B Baker Street"
    )


def heic_photo() -> bytes:
    image = two_colour_image()
    return image_bytes("HEIF", image=image, exif=camera_exif(image, orientation=1))


def pdf_document(text: str = "Cancellation confirmed. Reference AB-123456.") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


def zip_archive(members: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in (members or {"payload.exe": b"MZ" + b"\0" * 64}).items():
            archive.writestr(name, content)
    return out.getvalue()


def polyglot_jpeg_zip() -> bytes:
    """A JPEG that is also a ZIP: image viewers show the photo, unzip finds the archive."""
    return image_bytes("JPEG") + zip_archive()


def windows_executable() -> bytes:
    """The first bytes of a real PE file: an MZ header with its DOS stub and PE offset."""
    dos = bytearray(128)
    dos[0:2] = b"MZ"
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    dos[0x40 : 0x40 + len(stub)] = stub
    return bytes(dos) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 200


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>fetch("/cases/").then(r => r.text()).then(alert)</script>'
        b'<rect width="10" height="10"/></svg>'
    )


def html_page() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Confirmation</title></head>"
        b"<body><p>Your line is cancelled.</p><script>alert(document.cookie)</script></body></html>"
    )


def png_header_only(width: int, height: int, *, rgba: bool = False) -> bytes:
    """A PNG that claims width × height pixels of one-bit (or 8-bit RGBA) data: a bomb.

    Its IDAT holds a few rows of a deflate stream of zeros, enough for any decoder to start
    allocating for the whole declared size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    depth, colour, row = (8, 6, width * 4 + 1) if rgba else (1, 0, (width + 7) // 8 + 1)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    rows = zlib.compress(b"\0" * row * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def confirmation_email(*, html_only: bool = False) -> bytes:
    """A provider's confirmation as a mail app saves it (.eml), with a hostile HTML part."""
    message = EmailMessage()
    message["From"] = "Demo Mobile <no-reply@demo-mobile.example>"
    message["To"] = "Ada <ada@example.com>"
    message["Subject"] = "您的号码已注销 – cancellation confirmed"
    message["Date"] = format_datetime(dt.datetime(2026, 12, 3, 14, 2, tzinfo=dt.UTC))
    message["Message-ID"] = make_msgid(domain="demo-mobile.example")
    text = "Your line ending 0123 is cancelled. Reference AB-123456.\n<script>alert(1)</script>"
    html = (
        "<html><head><style>p{color:red}</style><script>alert(2)</script></head>"
        "<body><p>Your line is <b>cancelled</b>.</p><p>Reference AB-123456.</p></body></html>"
    )
    if html_only:
        message.set_content(html, subtype="html")
    else:
        message.set_content(text)
        message.add_alternative(html, subtype="html")
    return message.as_bytes()
