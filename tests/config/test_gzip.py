"""HTML pages are sent compressed to browsers that accept it."""

import gzip

import pytest


@pytest.mark.django_db
def test_html_page_is_gzipped_when_accepted(client):
    response = client.get("/providers/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)


@pytest.mark.django_db
def test_html_page_is_plain_otherwise(client):
    response = client.get("/providers/")
    assert "Content-Encoding" not in response
