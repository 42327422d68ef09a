"""Uploads are judged by their content: what is kept, what is refused, and how images come out."""

import io

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from cases.evidence import files
from tests.cases.evidence import samples


def reopen(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def assert_refused_naming_what_is_accepted(content: bytes, name: str, code: str) -> None:
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(content, name=name)
    assert refused.value.code == code
    message = str(refused.value.message)
    for accepted in ("PDF", "JPEG", "PNG", "HEIC", "WebP", "plain text", ".eml"):
        assert accepted in message


# --- Refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["receipt.pdf", "photo.jpg", "notes.txt", "setup.exe"])
def test_renamed_windows_executable_is_refused_whatever_its_name(name):
    assert_refused_naming_what_is_accepted(samples.windows_executable(), name, "executable")


def test_linux_executable_and_shell_script_are_refused():
    assert_refused_naming_what_is_accepted(
        b"\x7fELF\x02\x01\x01" + b"\0" * 100, "a.png", "executable"
    )
    assert_refused_naming_what_is_accepted(b"#!/bin/sh\nrm -rf ~\n", "notes.txt", "executable")


@pytest.mark.parametrize("name", ["bill.svg", "bill.png", "bill.txt"])
def test_svg_with_script_is_refused(name):
    assert_refused_naming_what_is_accepted(samples.svg_with_script(), name, "markup")


def test_svg_without_xml_prolog_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert_refused_naming_what_is_accepted(svg, "image.txt", "markup")


@pytest.mark.parametrize("name", ["confirmation.html", "confirmation.txt", "confirmation.pdf"])
def test_html_file_is_refused(name):
    assert_refused_naming_what_is_accepted(samples.html_page(), name, "markup")


def test_html_fragment_in_text_is_refused():
    text = b"Thanks for your order\n<iframe src='https://evil.example'></iframe>\n"
    assert_refused_naming_what_is_accepted(text, "order.txt", "markup")


def test_polyglot_jpeg_with_zip_appended_is_refused():
    polyglot = samples.polyglot_jpeg_zip()
    # Both readings are real: Pillow sees a JPEG, zipfile sees an archive.
    assert Image.open(io.BytesIO(polyglot)).format == "JPEG"
    assert files.zipfile.is_zipfile(io.BytesIO(polyglot))
    assert_refused_naming_what_is_accepted(polyglot, "photo.jpg", "archive")


def test_pdf_with_zip_appended_is_refused():
    polyglot = samples.pdf_document() + samples.zip_archive()
    assert_refused_naming_what_is_accepted(polyglot, "bill.pdf", "archive")


def test_zip_and_office_files_are_refused():
    assert_refused_naming_what_is_accepted(samples.zip_archive(), "proof.zip", "archive")
    docx = samples.zip_archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert_refused_naming_what_is_accepted(docx, "letter.docx", "archive")


def test_unknown_binary_is_refused():
    assert_refused_naming_what_is_accepted(bytes(range(256)) * 8, "bill.pdf", "unknown")


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (samples.zip_archive(), "report.pdf", "report.pdf is really a ZIP archive, not a PDF."),
        (
            samples.zip_archive({"word/document.xml": b"<w/>"}),
            "letter.pdf",
            "letter.pdf is really a Word document, not a PDF.",
        ),
        (samples.windows_executable(), "bill.jpg", "bill.jpg is really a program, not a JPEG"),
        (samples.html_page(), "sms.txt", "sms.txt is really a web page (HTML), not a text file."),
        (samples.image_bytes("GIF"), "screen.png", "screen.png is really a GIF image, not a PNG"),
        (samples.image_bytes("GIF"), "screen.gif", "screen.gif is a GIF image."),
        (b"Rar!\x1a\x07\x00" + bytes(64), "proof.pdf", "proof.pdf is really a RAR archive"),
        (bytes(range(256)) * 8, "bill.pdf", "bill.pdf is not really a PDF: Closeout cannot tell"),
        (bytes(range(256)) * 8, "bill.dat", "Closeout cannot tell what kind of file bill.dat is."),
    ],
)
def test_a_refusal_names_the_file_and_says_what_it_really_is(content, name, says):
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(content, name=name)
    assert refused.value.messages[0].startswith(says)


def test_gif_is_refused_though_it_is_an_image():
    assert_refused_naming_what_is_accepted(samples.image_bytes("GIF"), "screen.gif", "unknown")


def test_empty_file_is_refused():
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(b"", name="empty.txt")
    assert refused.value.code == "empty"


def test_decompression_bomb_is_refused_before_decoding():
    # 60 000 × 60 000 one-bit pixels: 3.6 gigapixels from a file of a few hundred bytes.
    bomb = samples.png_header_only(60_000, 60_000)
    assert len(bomb) < 1000
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(bomb, name="screenshot.png")
    assert refused.value.code == "too_many_pixels"


def test_image_over_the_pixel_cap_is_refused(settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 10_000
    big = samples.image_bytes("PNG", image=Image.new("RGB", (200, 100), "white"))
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(big, name="screenshot.png")
    assert refused.value.code == "too_many_pixels"
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 20_000
    assert files.check_upload(big, name="screenshot.png").content_type == "image/png"


def test_an_image_whose_pixels_pass_the_memory_budget_is_refused_unread_naming_it():
    # The upload: 7000 × 7000 RGBA (196 MB decoded) in a file of a few KB.
    image = samples.png_header_only(7000, 7000, rgba=True)
    assert len(image) < 100_000
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(image, name="scan.png")
    assert refused.value.code == "too_much_memory"
    message = refused.value.messages[0]
    assert "scan.png" in message
    assert "7000 × 7000" in message
    assert "33 megapixels" in message  # 128 MiB at four bytes a pixel


def test_the_memory_budget_counts_four_bytes_a_colour_pixel(settings):
    settings.EVIDENCE_MAX_IMAGE_DECODED_BYTES = 200 * 200 * 4
    fits = samples.image_bytes("PNG", image=Image.new("RGBA", (200, 200), (9, 9, 9, 9)))
    assert files.check_upload(fits, name="fits.png").width == 200
    over = samples.image_bytes("PNG", image=Image.new("RGB", (201, 200), "white"))
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(over, name="over.png")
    assert refused.value.code == "too_much_memory"
    grey = samples.image_bytes("PNG", image=Image.new("L", (400, 400), 128))  # one byte each
    assert files.check_upload(grey, name="grey.png").width == 400


def test_a_large_jpeg_is_decoded_smaller_to_fit_the_budget(settings):
    settings.EVIDENCE_MAX_IMAGE_DECODED_BYTES = 300 * 200 * 4
    photo = samples.image_bytes("JPEG", image=Image.new("RGB", (1200, 800), "navy"))
    checked = files.check_upload(photo, name="photo.jpg")
    assert (checked.width, checked.height) == (300, 200)  # draft mode: a quarter of each side
    assert reopen(checked.content).size == (300, 200)


def test_a_large_image_within_the_budget_is_accepted_whole():
    # 3072 × 3072 RGBA: 36 MiB decoded, within the default budget of 128 MiB.
    big = Image.new("RGBA", (3072, 3072), (20, 40, 60, 255))
    big.paste((200, 10, 10, 128), (100, 100, 2000, 2000))
    content = samples.image_bytes("PNG", image=big)
    del big
    checked = files.check_upload(content, name="large.png")
    assert (checked.width, checked.height, checked.content_type) == (3072, 3072, "image/png")
    assert reopen(checked.content).getpixel((150, 150)) == (200, 10, 10, 128)
    assert reopen(checked.thumbnail).size == (480, 480)


def test_truncated_image_is_refused_as_damaged():
    jpeg = samples.image_bytes("JPEG", image=Image.effect_noise((300, 300), 60).convert("RGB"))
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(jpeg[: len(jpeg) // 3], name="photo.jpg")
    assert refused.value.code == "image_damaged"


def test_truncated_pdf_is_refused_as_damaged():
    pdf = samples.pdf_document()
    with pytest.raises(files.RefusedFile) as refused:
        files.check_upload(pdf[:-40_000] if len(pdf) > 40_000 else pdf[:200], name="bill.pdf")
    assert refused.value.code == "pdf_damaged"


def test_text_with_binary_control_bytes_is_refused():
    assert_refused_naming_what_is_accepted(b"hello\x00world\x01", "notes.txt", "unknown")


def test_text_in_a_legacy_encoding_is_refused():
    assert_refused_naming_what_is_accepted("您的号码已注销".encode("gb18030"), "sms.txt", "unknown")


# --- Images ------------------------------------------------------------------------------------


def test_phone_photo_comes_back_upright_without_any_metadata():
    original = samples.phone_photo_jpeg()
    before = reopen(original)
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really carries GPS
    assert before.size == (40, 20)

    checked = files.check_upload(original, name="IMG_0042.JPG")

    assert checked.content_type == "image/jpeg"
    after = reopen(checked.content)
    # Orientation 6: turned a quarter clockwise, the red left half is now on top.
    assert after.size == (20, 40)
    assert after.getpixel((10, 5))[0] > 200 > after.getpixel((10, 5))[2]
    assert after.getpixel((10, 35))[2] > 200 > after.getpixel((10, 35))[0]
    assert not after.getexif()
    assert "exif" not in after.info
    assert "comment" not in after.info
    assert "icc_profile" not in after.info
    for leaked in (b"Exif", b"Pocketphone", b"2026:11:30", b"Baker Street"):
        assert leaked not in checked.content


def test_png_and_webp_lose_their_metadata_and_keep_their_format():
    image = samples.two_colour_image()
    exif = samples.camera_exif(image)
    for fmt, content_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        checked = files.check_upload(samples.image_bytes(fmt, image=image, exif=exif), name="x")
        after = reopen(checked.content)
        assert checked.content_type == content_type
        assert after.format == fmt
        assert after.size == (20, 40)
        assert not after.getexif()
        assert b"Pocketphone" not in checked.content


def test_png_text_chunks_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ada Lovelace")
    info.add_itxt("Location", "51.5 N, 0.12 W")
    checked = files.check_upload(samples.image_bytes("PNG", pnginfo=info), name="shot.png")
    assert b"Ada Lovelace" not in checked.content
    assert b"Location" not in checked.content
    assert not reopen(checked.content).info


def test_heic_becomes_a_jpeg():
    heic = samples.heic_photo()
    assert reopen(heic).format == "HEIF"

    checked = files.check_upload(heic, name="IMG_0042.HEIC")

    assert checked.content_type == "image/jpeg"
    assert checked.content.startswith(b"\xff\xd8")
    assert checked.stored_name == "IMG_0042.jpg"
    after = reopen(checked.content)
    assert after.format == "JPEG"
    assert after.size == (40, 20)
    assert not after.getexif()
    assert b"Pocketphone" not in checked.content


def test_transparent_png_stays_transparent():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    checked = files.check_upload(samples.image_bytes("PNG", image=image), name="shot.png")
    assert reopen(checked.content).getpixel((5, 5))[3] == 0


def test_image_gets_a_small_jpeg_thumbnail():
    big = Image.new("RGB", (2000, 1000), "white")
    checked = files.check_upload(samples.image_bytes("PNG", image=big), name="shot.png")
    thumbnail = reopen(checked.thumbnail)
    assert thumbnail.format == "JPEG"
    assert max(thumbnail.size) <= 480


def test_image_hash_is_of_the_bytes_kept():
    checked = files.check_upload(samples.phone_photo_jpeg(), name="photo.jpg")
    assert checked.sha256 == files.hashlib.sha256(checked.content).hexdigest()
    assert checked.size == len(checked.content)


def test_name_and_browser_type_do_not_decide():
    checked = files.check_upload(samples.image_bytes("PNG"), name="bill.pdf")
    assert checked.content_type == "image/png"
    assert checked.stored_name == "bill.png"


# --- PDF, text and email -----------------------------------------------------------------------


def test_pdf_is_kept_byte_for_byte():
    pdf = samples.pdf_document()
    checked = files.check_upload(pdf, name="final-bill.pdf")
    assert checked.content == pdf
    assert checked.content_type == "application/pdf"
    assert checked.sha256 == files.hashlib.sha256(pdf).hexdigest()
    assert not checked.is_image  # never shown inline


def test_plain_text_in_chinese_is_kept():
    text = "【Demo Mobile】您的号码已注销，参考号 AB-123456。\r\n".encode()
    checked = files.check_upload(text, name="sms.txt")
    assert checked.content == text
    assert checked.content_type == "text/plain"


def test_text_mentioning_angle_brackets_is_still_text():
    text = b"From: Demo Mobile <no-reply@demo.example>\nThe fee is < 5 GBP\n"
    assert files.check_upload(text, name="note.txt").content_type == "text/plain"


def test_eml_is_kept_as_a_message():
    checked = files.check_upload(samples.confirmation_email(), name="Cancelled.eml")
    assert checked.content_type == "message/rfc822"
    assert checked.extension == "eml"


def test_eml_summary_has_headers_and_the_text_part_not_the_html():
    summary = files.summarise_email(samples.confirmation_email())
    headers = dict(summary.headers)
    assert headers["From"] == "Demo Mobile <no-reply@demo-mobile.example>"
    assert headers["Subject"] == "您的号码已注销 – cancellation confirmed"
    assert "Date" in headers
    assert "Message-ID" in headers
    assert "Reference AB-123456." in summary.text
    # The text part is returned as it is, to be escaped where it is shown.
    assert "<script>alert(1)</script>" in summary.text
    assert "<b>" not in summary.text


def test_html_only_eml_becomes_plain_words():
    summary = files.summarise_email(samples.confirmation_email(html_only=True))
    assert "Your line is cancelled." in summary.text
    assert "<" not in summary.text
    assert "alert" not in summary.text
    assert "color" not in summary.text


def test_clean_name_keeps_only_the_last_path_part():
    assert files.clean_name("C:\\Users\\ada\\..\\bill.pdf") == "bill.pdf"
    assert files.clean_name("../../etc/passwd") == "passwd"
    assert files.clean_name("confirmation\u202egpj.exe") == "confirmationgpj.exe"
    assert files.clean_name("") == "evidence"
